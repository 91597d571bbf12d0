namespace Sosyabot.Tests.Publishing;

// Images as the app judges them: by their first bytes.
internal static class TestImages
{
    // A real 1×1 PNG.
    public static readonly byte[] OnePixelPng = Convert.FromBase64String(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static readonly byte[] PngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static readonly byte[] JpegSignature = [0xFF, 0xD8, 0xFF, 0xE0];

    // An ISO media file's first box: its size, "ftyp", the major brand.
    private static readonly byte[] Mp4Signature = [0x00, 0x00, 0x00, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'i', (byte)'s', (byte)'o', (byte)'m'];
    private static readonly byte[] QuickTimeSignature = [0x00, 0x00, 0x00, 0x14, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'q', (byte)'t', (byte)' ', (byte)' '];
    private static readonly byte[] WebMSignature = [0x1A, 0x45, 0xDF, 0xA3];

    // length bytes that start as a PNG does and go on with random bytes: enough for the app and a fake X.
    public static byte[] Png(int length) => Starting(PngSignature, length);

    public static byte[] Jpeg(int length) => Starting(JpegSignature, length);

    public static byte[] Mp4(int length) => Starting(Mp4Signature, length);

    public static byte[] QuickTime(int length) => Starting(QuickTimeSignature, length);

    public static byte[] WebM(int length) => Starting(WebMSignature, length);

    private static byte[] Starting(byte[] signature, int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        signature.CopyTo(bytes, 0);
        return bytes;
    }
}
