namespace Sosyabot.Tests.Publishing;

// Images as the app judges them: by their first bytes.
internal static class TestImages
{
    // A real 1×1 PNG.
    public static readonly byte[] OnePixelPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF, 0xE0];

    // length bytes that start as a PNG does and go on with random bytes: enough for the app and a fake X.
    public static byte[] Png(int length) => Starting(PngSignature, length);

    public static byte[] Jpeg(int length) => Starting(JpegSignature, length);

    private static byte[] Starting(byte[] signature, int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        signature.CopyTo(bytes, 0);
        return bytes;
    }
}
