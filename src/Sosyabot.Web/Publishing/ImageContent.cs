namespace Sosyabot.Web.Publishing;

// What an uploaded image is, judged by its first bytes: the declared type (a browser's guess from the
// file's name, or whatever an agent wrote) is never trusted, and what is stored and sent to X as the
// content type is the one the signature names. The composer and the API both come through here.
public static class ImageContent
{
    // Enough to tell every accepted format apart (WEBP needs "RIFF", a length, then "WEBP").
    public const int HeadLength = 12;

    public const int MaxImageBytes = 5 * 1024 * 1024;
    public const int MaxGifBytes = 15 * 1024 * 1024;

    // X takes up to four images or one animated GIF per post: the most one post can carry.
    public const long MaxPostMediaBytes = PublishingQueue.MaxImages * (long)MaxImageBytes > MaxGifBytes
        ? PublishingQueue.MaxImages * (long)MaxImageBytes
        : MaxGifBytes;

    public const string Gif = "image/gif";

    public static readonly string[] Types = ["image/jpeg", "image/png", Gif, "image/webp"];

    // The content type the bytes start like, or null when they are none of the accepted formats.
    public static string? TypeOf(ReadOnlySpan<byte> head) =>
        head switch
        {
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => Gif,
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
            _ => null,
        };

    public static int LimitFor(string contentType) => contentType == Gif ? MaxGifBytes : MaxImageBytes;

    public static string NotAnImage(string fileName) => $"{fileName} is not a PNG, JPEG, GIF or WEBP image.";

    public static string TooLarge(string fileName, long length, string? contentType) =>
        contentType is null
            ? $"{fileName} is {Megabytes(length)}; X takes images up to {MaxImageBytes / 1024 / 1024} MB and GIFs up to {MaxGifBytes / 1024 / 1024} MB."
            : $"{fileName} is {Megabytes(length)}; X takes {(contentType == Gif ? "GIFs" : "images")} up to {LimitFor(contentType) / 1024 / 1024} MB.";

    public static string Megabytes(long bytes) => $"{bytes / 1024.0 / 1024.0:#,0.0} MB";

    // Everything wrong with a file of this length starting with head; null when it may be stored.
    public static string? Problem(string fileName, ReadOnlySpan<byte> head, long length)
    {
        if (length > MaxGifBytes)
        {
            return TooLarge(fileName, length, null);
        }
        if (TypeOf(head) is not { } type)
        {
            return NotAnImage(fileName);
        }
        return length > LimitFor(type) ? TooLarge(fileName, length, type) : null;
    }

    // Reads an uploaded file into one array of its exact length, after its declared length and its first bytes
    // have passed: a file that is too large or not an image is refused before it is read whole.
    public static async Task<(byte[]? Bytes, string? Problem)> ReadAsync(string fileName, long length, Stream content, CancellationToken cancellationToken)
    {
        if (length > MaxGifBytes)
        {
            return (null, TooLarge(fileName, length, null));
        }
        var head = new byte[Math.Min(HeadLength, (int)length)];
        await content.ReadExactlyAsync(head, cancellationToken);
        if (Problem(fileName, head, length) is { } problem)
        {
            return (null, problem);
        }
        var bytes = new byte[length];
        head.CopyTo(bytes, 0);
        await content.ReadExactlyAsync(bytes.AsMemory(head.Length), cancellationToken);
        return (bytes, null);
    }
}
