namespace Sosyabot.Tests.Reliability;

// The drills start app processes, kill them and load them: they run alone, after the parallel suites, so
// they neither starve the browser tests of CPU nor measure a machine busy with other tests.
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DrillsCollection
{
    public const string Name = "Drills";
}
