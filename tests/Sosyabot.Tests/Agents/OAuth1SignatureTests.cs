using Sosyabot.Web.X;

namespace Sosyabot.Tests.Agents;

// The signer against the examples RFC 5849 and X publish, computed by others, not by this code.
public sealed class OAuth1SignatureTests
{
    [Fact]
    public void BaseString_Rfc5849Section3411Example_MatchesTheRfc()
    {
        // RFC 5849 section 3.4.1.1: query, form body and oauth_* parameters, with repeats and encoded values.
        var url = new Uri("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        var parameters = OAuth1Signature.FormParameters(url.Query)
            .Concat(OAuth1Signature.FormParameters("c2&a3=2+q"))
            .Concat(new Dictionary<string, string>
            {
                ["oauth_consumer_key"] = "9djdj82h48djs9d2",
                ["oauth_token"] = "kkk9d7dh3k39sjv7",
                ["oauth_signature_method"] = "HMAC-SHA1",
                ["oauth_timestamp"] = "137131201",
                ["oauth_nonce"] = "7d8f3e4a",
                ["oauth_signature"] = "djosJKDKJSD8743243%2Fjdk33klY%3D",
            });

        var baseString = OAuth1Signature.BaseString("POST", url, parameters);

        Assert.Equal(
            "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D" +
            "%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1" +
            "%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7",
            baseString);
    }

    [Fact]
    public void Sign_Rfc5849Section12PhotosExample_GivesTheRfcSignature()
    {
        var url = new Uri("http://photos.example.net/photos?file=vacation.jpg&size=original");
        var parameters = OAuth1Signature.FormParameters(url.Query).Concat(new Dictionary<string, string>
        {
            ["oauth_consumer_key"] = "dpf43f3p2l4k3l03",
            ["oauth_token"] = "nnch734d00sl2jdk",
            ["oauth_signature_method"] = "HMAC-SHA1",
            ["oauth_timestamp"] = "137131202",
            ["oauth_nonce"] = "chapoH",
        });

        var signature = OAuth1Signature.Sign(OAuth1Signature.BaseString("GET", url, parameters), "kd94hf93k423kf44", "pfkkdhi9sl3r4s00");

        Assert.Equal("MdpQcU8iPSUjWoN/UDMsK2sui9I=", signature);
    }

    [Fact]
    public void Sign_XCreatingASignatureExample_GivesXsSignature()
    {
        // X's "Creating a signature" walkthrough (published for api.twitter.com, the host of the day).
        var url = new Uri("https://api.twitter.com/1.1/statuses/update.json?include_entities=true");
        var parameters = OAuth1Signature.FormParameters(url.Query)
            .Concat(OAuth1Signature.FormParameters("status=Hello%20Ladies%20%2b%20Gentlemen%2c%20a%20signed%20OAuth%20request%21"))
            .Concat(new Dictionary<string, string>
            {
                ["oauth_consumer_key"] = "xvz1evFS4wEEPTGEFPHBog",
                ["oauth_nonce"] = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg",
                ["oauth_signature_method"] = "HMAC-SHA1",
                ["oauth_timestamp"] = "1318622958",
                ["oauth_token"] = "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                ["oauth_version"] = "1.0",
            });

        var baseString = OAuth1Signature.BaseString("POST", url, parameters);
        var signature = OAuth1Signature.Sign(baseString, "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");

        Assert.StartsWith(
            "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog",
            baseString);
        Assert.EndsWith("%26status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521", baseString);
        Assert.Equal("hCtSmYh+iHYCEqBWrE7C7hYmtUk=", signature);
    }

    [Theory]
    [InlineData("Ladies + Gentlemen", "Ladies%20%2B%20Gentlemen")]
    [InlineData("An encoded string!", "An%20encoded%20string%21")]
    [InlineData("Dogs, Cats & Mice", "Dogs%2C%20Cats%20%26%20Mice")]
    [InlineData("☃", "%E2%98%83")]
    [InlineData("-._~", "-._~")]
    public void PercentEncode_XsExamples_EncodeAsXDocuments(string raw, string encoded) =>
        Assert.Equal(encoded, OAuth1Signature.PercentEncode(raw));

    [Fact]
    public void AuthorizationHeader_RoundTrips_ThroughTheParser()
    {
        var header = OAuth1Signature.AuthorizationHeaderValue(new Dictionary<string, string>
        {
            ["oauth_consumer_key"] = "key", ["oauth_signature"] = "a+b/c=", ["oauth_token"] = "1-x",
        });

        Assert.Equal("OAuth oauth_consumer_key=\"key\", oauth_signature=\"a%2Bb%2Fc%3D\", oauth_token=\"1-x\"", header);
        Assert.Equal("a+b/c=", OAuth1Signature.ParseAuthorizationHeader(header)!["oauth_signature"]);
    }
}
