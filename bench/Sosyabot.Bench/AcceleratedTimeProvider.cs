namespace Sosyabot.Bench;

// A clock that runs Factor times faster than the machine's, timers included, so that X's
// 15-minute and 24-hour windows pass in seconds. The app and the sandbox share one instance, so the
// reset times X announces and the app's own clock agree.
public sealed class AcceleratedTimeProvider(double factor) : TimeProvider
{
    private readonly DateTimeOffset _origin = System.GetUtcNow();
    private readonly long _originTimestamp = System.GetTimestamp();

    public double Factor { get; } = factor;

    public override DateTimeOffset GetUtcNow() => _origin + Simulated(System.GetElapsedTime(_originTimestamp));

    public override long GetTimestamp() => _originTimestamp + (long)((System.GetTimestamp() - _originTimestamp) * Factor);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new AcceleratedTimer(System.CreateTimer(callback, state, Real(dueTime), Real(period)), this);

    public TimeSpan Real(TimeSpan simulated) =>
        simulated == Timeout.InfiniteTimeSpan || simulated <= TimeSpan.Zero ? simulated : TimeSpan.FromTicks(Math.Max(1, (long)(simulated.Ticks / Factor)));

    private TimeSpan Simulated(TimeSpan real) => TimeSpan.FromTicks((long)(real.Ticks * Factor));

    private sealed class AcceleratedTimer(ITimer inner, AcceleratedTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.Real(dueTime), clock.Real(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
