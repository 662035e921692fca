using Skiff.Robustness.Checking;
using Skiff.Robustness.History;
using Xunit;

namespace Skiff.Robustness.Tests.Checking;

public sealed class WatchCheckerTests
{
    // The writes: create a (yes) at 11, update a (no) at 12, create b (yes) at 13, delete a at 14, update b (yes) at 15.
    private static Histories Writes() => new Histories()
        .Create("a", "a1", 0, 1, Outcome.Ok, rv: 11)
        .Update("a", "a2", 2, 3, Outcome.Ok, rv: 12, label: "no")
        .Create("b", "b1", 4, 5, Outcome.Ok, rv: 13)
        .Delete("a", null, 6, 7, Outcome.Ok)
        .Update("b", "b2", 8, 9, Outcome.Ok, rv: 15);

    private static WatchStream All(params WatchEventRecord[] events) => Stream("all", null, 10, events);

    private static WatchStream Stream(string name, string? selector, long start, params WatchEventRecord[] events)
    {
        var s = new WatchStream(name, selector);
        var segment = new WatchSegment(start, null, resumed: false);
        segment.Events.AddRange(events);
        s.Segments.Add(segment);
        return s;
    }

    private static WatchEventRecord E(string type, long rv, string key, string data, string? label = "yes") => new(type, rv, key, new ObjectValue(data, label), 0);

    private static WatchEventRecord[] Correct() =>
    [
        E("ADDED", 11, "a", "a1"), E("MODIFIED", 12, "a", "a2", "no"), E("ADDED", 13, "b", "b1"),
        E("DELETED", 14, "a", "a2", "no"), E("MODIFIED", 15, "b", "b2"),
    ];

    private static RobustnessReport Run(params WatchStream[] streams) => RobustnessChecker.Check(10, Writes().Ops, streams);

    [Fact]
    public void CorrectStreams_WithAndWithoutSelector_Pass()
    {
        // For robust=yes: a leaves the selector at 12 (DELETED with its previous value), a's delete at 14 is invisible.
        var selected = Stream("yes", "robust=yes", 10, E("ADDED", 11, "a", "a1"), E("DELETED", 12, "a", "a1"), E("ADDED", 13, "b", "b1"), E("MODIFIED", 15, "b", "b2"));
        var report = Run(All(Correct()), selected);
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.LogComplete);
    }

    [Fact]
    public void GapInOneStream_IsReported()
    {
        var events = Correct().Where(e => e.Rv != 13).ToArray();
        var report = Run(All(Correct()), Stream("gappy", null, 10, events));
        var v = Assert.Single(report.Violations);
        Assert.Equal("watch:gappy", v.Check);
        Assert.Contains("missed ADDED", v.Message);
    }

    [Fact]
    public void DuplicateEvent_IsReported()
    {
        var events = Correct().ToList();
        events.Insert(2, events[1]);
        var report = Run(All([.. events]));
        Assert.Contains(report.Violations, v => v.Message.Contains("not newer than revision 12", StringComparison.Ordinal));
    }

    [Fact]
    public void WrongEventType_IsReported()
    {
        var events = Correct();
        events[1] = E("ADDED", 12, "a", "a2", "no");
        Assert.Contains(Run(All(events)).Violations, v => v.Message.Contains("expected MODIFIED a a2[no]", StringComparison.Ordinal));
    }

    [Fact]
    public void SelectorWatcher_MissingTheLeaveEvent_IsReported()
    {
        var selected = Stream("yes", "robust=yes", 10, E("ADDED", 11, "a", "a1"), E("ADDED", 13, "b", "b1"), E("MODIFIED", 15, "b", "b2"));
        Assert.Contains(Run(All(Correct()), selected).Violations, v => v.Check == "watch:yes" && v.Message.Contains("missed DELETED", StringComparison.Ordinal));
    }

    [Fact]
    public void EventWithAStateOtherThanTheWrite_IsReported()
    {
        // The watch says b was b9 at 15, the write's response said b2: two changes claim one revision.
        var events = Correct();
        events[4] = E("MODIFIED", 15, "b", "b9");
        Assert.Contains(Run(All(events)).Violations, v => v.Check == "revision-log" && v.Message.Contains("two different changes claim revision 15", StringComparison.Ordinal));
    }

    [Fact]
    public void ResumedWatch_MustContinueExactlyAfterItsRevision()
    {
        var exact = Stream("resume", null, 12, E("ADDED", 13, "b", "b1"), E("DELETED", 14, "a", "a2", "no"), E("MODIFIED", 15, "b", "b2"));
        Assert.True(Run(All(Correct()), exact).Passed);
        var skipped = Stream("resume", null, 12, E("DELETED", 14, "a", "a2", "no"), E("MODIFIED", 15, "b", "b2"));
        Assert.Contains(Run(All(Correct()), skipped).Violations, v => v.Check == "watch:resume" && v.Message.Contains("missed ADDED", StringComparison.Ordinal));
        var replayed = Stream("resume", null, 12, E("MODIFIED", 12, "a", "a2", "no"), E("ADDED", 13, "b", "b1"));
        Assert.Contains(Run(All(Correct()), replayed).Violations, v => v.Check == "watch:resume" && v.Message.Contains("not newer", StringComparison.Ordinal));
    }

    [Fact]
    public void AcknowledgedDeleteInAGapAfter410_IsNotReported()
    {
        // The stream saw up to 13, got 410 Gone and relisted at 15: the delete at 14 fell in a range no stream saw.
        var stream = new WatchStream("all", null);
        var before = new WatchSegment(10, null, resumed: false);
        before.Events.AddRange([E("ADDED", 11, "a", "a1"), E("MODIFIED", 12, "a", "a2", "no"), E("ADDED", 13, "b", "b1")]);
        stream.Segments.Add(before);
        stream.Segments.Add(new WatchSegment(15, new Dictionary<string, ObjectValue> { ["b"] = new("b2", "yes") }, resumed: false));
        var report = Run(stream);
        Assert.False(report.LogComplete);
        Assert.DoesNotContain(report.Violations, v => v.Message.Contains("appears in no watch stream", StringComparison.Ordinal));
    }

    [Fact]
    public void AcknowledgedDeleteMissingFromEveryStream_IsReported()
    {
        var events = Correct().Where(e => e.Rv != 14).ToArray();
        var report = Run(All(events));
        Assert.Contains(report.Violations, v => v.Message.Contains("appears in no watch stream", StringComparison.Ordinal));
    }

    [Fact]
    public void RelistAfter410_MustEqualTheStateAtItsRevision()
    {
        var good = new WatchStream("relist", null);
        good.Segments.Add(new WatchSegment(13, new Dictionary<string, ObjectValue> { ["a"] = new("a2", "no"), ["b"] = new("b1", "yes") }, resumed: false));
        good.Segments[0].Events.AddRange([E("DELETED", 14, "a", "a2", "no"), E("MODIFIED", 15, "b", "b2")]);
        Assert.True(Run(All(Correct()), good).Passed);
        var bad = new WatchStream("relist", null);
        bad.Segments.Add(new WatchSegment(13, new Dictionary<string, ObjectValue> { ["b"] = new("b1", "yes") }, resumed: false));
        Assert.Contains(Run(All(Correct()), bad).Violations, v => v.Message.Contains("a = a2[no] is missing", StringComparison.Ordinal));
    }

    [Fact]
    public void ConsistentList_MustEqualTheStateAtItsRevision()
    {
        var good = Writes().List(10, 11, 13, ("a", 12, new ObjectValue("a2", "no")), ("b", 13, new ObjectValue("b1", "yes")));
        Assert.DoesNotContain(RobustnessChecker.Check(10, good.Ops, [All(Correct())]).Violations, v => v.Check == "list");
        var stale = Writes().List(10, 11, 13, ("b", 13, new ObjectValue("b1", "yes")));
        Assert.Contains(RobustnessChecker.Check(10, stale.Ops, [All(Correct())]).Violations, v => v.Check == "list");
    }

    [Fact]
    public void PhantomWriteInAStream_IsReported()
    {
        var events = Correct().Append(E("ADDED", 16, "c", "nobody-wrote-this")).ToArray();
        Assert.Contains(Run(All(events)).Violations, v => v.Message.Contains("phantom", StringComparison.Ordinal));
    }

    [Fact]
    public void GapClosedByARelist_IsAccepted_ButADifferentSecondRelistIsNot()
    {
        // The server was killed after rv 11; the watcher got 410 on resume and relisted at 13.
        WatchStream Relisted(string name, Dictionary<string, ObjectValue> listed)
        {
            var s = new WatchStream(name, null);
            var first = new WatchSegment(10, null, resumed: false) { End = "connection lost" };
            first.Events.Add(E("ADDED", 11, "a", "a1"));
            var second = new WatchSegment(13, listed, resumed: false);
            second.Events.AddRange([E("DELETED", 14, "a", "a2", "no"), E("MODIFIED", 15, "b", "b2")]);
            s.Segments.AddRange([first, second]);
            return s;
        }

        var truth = new Dictionary<string, ObjectValue> { ["a"] = new("a2", "no"), ["b"] = new("b1", "yes") };
        var report = Run(Relisted("all", truth));
        Assert.True(report.Passed, report.ToString());
        Assert.False(report.LogComplete);
        var wrong = Run(Relisted("all", truth), Relisted("other", new Dictionary<string, ObjectValue> { ["b"] = new("b1", "yes") }));
        Assert.Contains(wrong.Violations, v => v.Check == "watch:other" && v.Message.Contains("a = a2[no] is missing", StringComparison.Ordinal));
    }
}
