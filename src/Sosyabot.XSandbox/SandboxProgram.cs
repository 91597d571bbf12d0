namespace Sosyabot.XSandbox;

public static class SandboxProgram
{
    public static async Task Main(string[] args) => await SandboxApp.Create(args).RunAsync();
}
