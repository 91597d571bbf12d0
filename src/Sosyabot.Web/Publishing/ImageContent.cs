namespace Sosyabot.Web.Publishing;

// What an uploaded file is, judged by its first bytes: the declared type (a browser's guess from the
// file's name, or whatever an agent wrote) is never trusted, and what is stored and sent to X as the
// content type is the one the signature names. The composer and the API both come through here.
//
// Images (JPEG, PNG, WEBP), GIFs and MP4 videos. Every GIF goes to X as tweet_gif, animated or not: X
// accepts a still GIF in that category too, and telling them apart would mean parsing the whole file.
// A GIF or a video goes alone in a post (X: up to 4 images, or 1 GIF, or 1 video).
public static class ImageContent
{
    // Enough to tell every accepted format apart (WEBP needs "RIFF", a length, then "WEBP"; MP4 a box size,
    // "ftyp" and the major brand).
    public const int HeadLength = 12;

    public const int MaxImageBytes = 5 * 1024 * 1024;
    public const int MaxGifBytes = 15 * 1024 * 1024;

    // X takes videos up to 512 MB. Sosyabot keeps a post's files in the database and reads each upload into
    // memory once, like images, so a video is held to what one post's upload already may be (the four
    // images' 20 MB); larger ones would need the files streamed to disk first.
    public const int MaxVideoBytes = 20 * 1024 * 1024;

    // X takes up to four images, one animated GIF or one video per post: the most one post can carry.
    public const long MaxPostMediaBytes = MaxImagesBytes > MaxGifBytes
        ? (MaxImagesBytes > MaxVideoBytes ? MaxImagesBytes : MaxVideoBytes)
        : (MaxGifBytes > MaxVideoBytes ? MaxGifBytes : MaxVideoBytes);

    private const long MaxImagesBytes = PublishingQueue.MaxImages * (long)MaxImageBytes;

    public const string Gif = "image/gif";
    public const string Mp4 = "video/mp4";

    public static readonly string[] Types = ["image/jpeg", "image/png", Gif, "image/webp", Mp4];

    // The content type the bytes start like, or null when they are none of the accepted formats. An MP4 is an
    // ISO media file whose first box is ftyp; QuickTime's brand ("qt  ") is a .mov, which X does not take.
    public static string? TypeOf(ReadOnlySpan<byte> head) =>
        head switch
        {
            [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
            [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
            [(byte)'G', (byte)'I', (byte)'F', (byte)'8', (byte)'7' or (byte)'9', (byte)'a', ..] => Gif,
            [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'q', (byte)'t', (byte)' ', (byte)' ', ..] => null,
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', _, _, _, _, ..] => Mp4,
            _ => null,
        };

    // Animations and videos go to X in their own categories, one per post, and need X's processing before a post may carry them.
    public static bool GoesAlone(string contentType) => contentType is Gif or Mp4;

    public static bool IsVideo(string? contentType) => contentType == Mp4;

    public static int LimitFor(string contentType) => contentType switch
    {
        Gif => MaxGifBytes,
        Mp4 => MaxVideoBytes,
        _ => MaxImageBytes,
    };

    // Names the formats people most often try that X does not take, so the message says what to do instead.
    public static string NotAnImage(string fileName, ReadOnlySpan<byte> head = default) =>
        head switch
        {
            [_, _, _, _, (byte)'f', (byte)'t', (byte)'y', (byte)'p', (byte)'q', (byte)'t', ..] =>
                $"{fileName} is a QuickTime (.mov) video; X takes MP4 (H.264). Export or convert it to MP4 and attach that.",
            [0x1A, 0x45, 0xDF, 0xA3, ..] =>
                $"{fileName} is a WebM or Matroska video; X takes MP4 (H.264). Convert it to MP4 and attach that.",
            _ => $"{fileName} is not a PNG, JPEG, GIF or WEBP image. Nor is it an MP4 video, the one video format Sosyabot sends to X.",
        };

    public static string TooLarge(string fileName, long length, string? contentType) =>
        contentType is null
            ? $"{fileName} is {Megabytes(length)}; X takes images up to {MaxImageBytes / 1024 / 1024} MB and GIFs up to {MaxGifBytes / 1024 / 1024} MB, " +
              $"and Sosyabot MP4 videos up to {MaxVideoBytes / 1024 / 1024} MB."
            : contentType == Mp4
                ? $"{fileName} is {Megabytes(length)}; Sosyabot takes MP4 videos up to {MaxVideoBytes / 1024 / 1024} MB " +
                  "(X itself takes up to 512 MB). Shorten or compress the video."
                : $"{fileName} is {Megabytes(length)}; X takes {(contentType == Gif ? "GIFs" : "images")} up to {LimitFor(contentType) / 1024 / 1024} MB.";


    public static string Megabytes(long bytes) => $"{bytes / 1024.0 / 1024.0:#,0.0} MB";

    // Everything wrong with a file of this length starting with head; null when it may be stored.
    public static string? Problem(string fileName, ReadOnlySpan<byte> head, long length)
    {
        if (TypeOf(head) is not { } type)
        {
            return length > MaxPostMediaBytes ? TooLarge(fileName, length, null) : NotAnImage(fileName, head);
        }
        return length > LimitFor(type) ? TooLarge(fileName, length, type) : null;
    }

    // Reads an uploaded file into one array of its exact length, after its declared length and its first bytes
    // have passed: a file that is too large or not an image is refused before it is read whole.
    public static async Task<(byte[]? Bytes, string? Problem)> ReadAsync(string fileName, long length, Stream content, CancellationToken cancellationToken)
    {
        // The first bytes say which limit applies; a file over every limit is refused before more of it is read.
        var head = new byte[Math.Min(HeadLength, length)];
        await content.ReadExactlyAsync(head, cancellationToken);
        if (Problem(fileName, head, length) is { } problem)
        {
            return (null, problem);
        }
        if (length > MaxPostMediaBytes)
        {
            return (null, TooLarge(fileName, length, TypeOf(head)));
        }
        var bytes = new byte[length];
        head.CopyTo(bytes, 0);
        await content.ReadExactlyAsync(bytes.AsMemory(head.Length), cancellationToken);
        return (bytes, null);
    }
}
