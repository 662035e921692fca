using System.Text.Json.Nodes;
using Skiff.ApiServer.Registry.Core;
using Xunit;

namespace Skiff.ApiServer.Tests.Registry.Core;

public class PodPrinterTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2025-01-01T12:00:00Z");

    private static IReadOnlyList<object?> Row(string json) => PodPrinter.Cells((JsonObject)JsonNode.Parse(json)!, Now);

    [Fact]
    public void Cells_WaitingContainer_ReasonAndSummedRestarts()
    {
        // printers_test.go TestPrintPod: one running+ready container, one waiting with podReason, 3 restarts each.
        var row = Row("""
            {"metadata":{"name":"test1","creationTimestamp":"2025-01-01T11:00:00Z"},
             "spec":{"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"podPhase","containerStatuses":[
               {"name":"a","ready":true,"restartCount":3,"state":{"running":{}}},
               {"name":"b","restartCount":3,"state":{"waiting":{"reason":"podReason"}}}]}}
            """);
        Assert.Equal(["test1", "1/2", "podReason", "6", "60m", "<none>", "<none>", "<none>", "<none>"], row);
    }

    [Fact]
    public void Cells_TerminatedWithoutReason_ExitCodeOrSignal()
    {
        var exit = Row("""
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]},
             "status":{"phase":"Running","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":2}}}]}}
            """);
        Assert.Equal("ExitCode:2", exit[2]);
        var signal = Row("""
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]},
             "status":{"phase":"Running","containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":137,"signal":9}}}]}}
            """);
        Assert.Equal("Signal:9", signal[2]);
    }

    [Fact]
    public void Cells_InitContainers_InitProgressAndReasons()
    {
        var waiting = Row("""
            {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},
             "status":{"phase":"Pending","initContainerStatuses":[
               {"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"i2","state":{"running":{}}}]}}
            """);
        Assert.Equal("Init:1/2", waiting[2]);
        var crash = Row("""
            {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
             "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}}}]}}
            """);
        Assert.Equal("Init:CrashLoopBackOff", crash[2]);
        Assert.Equal("4", crash[3]);
        var failed = Row("""
            {"metadata":{"name":"p"},"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
             "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":1}}}]}}
            """);
        Assert.Equal("Init:ExitCode:1", failed[2]);
    }

    [Fact]
    public void Cells_DeletionTimestamp_TerminatingUnlessFinished()
    {
        var running = Row("""{"metadata":{"name":"p","deletionTimestamp":"2025-01-01T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running"}}""");
        Assert.Equal("Terminating", running[2]);
        var done = Row("""{"metadata":{"name":"p","deletionTimestamp":"2025-01-01T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded"}}""");
        Assert.Equal("Succeeded", done[2]);
        var lost = Row("""{"metadata":{"name":"p","deletionTimestamp":"2025-01-01T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Running","reason":"NodeLost"}}""");
        Assert.Equal("Unknown", lost[2]);
    }

    [Fact]
    public void Cells_RestartsWithLastTermination_ShowsAgo()
    {
        var row = Row("""
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"}]},
             "status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"restartCount":3,"state":{"running":{}},
               "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-01-01T11:55:00Z"}}}]}}
            """);
        Assert.Equal("1/1", row[1]);
        Assert.Equal("Running", row[2]);
        Assert.Equal("3 (5m ago)", row[3]);
    }

    [Fact]
    public void Cells_WideColumns_IpNodeNominatedAndReadinessGates()
    {
        var row = Row("""
            {"metadata":{"name":"p"},"spec":{"nodeName":"n1","containers":[{"name":"a"}],"readinessGates":[{"conditionType":"g1"},{"conditionType":"g2"}]},
             "status":{"phase":"Running","podIPs":[{"ip":"1.1.1.1"},{"ip":"fd00::1"}],"nominatedNodeName":"n2",
               "conditions":[{"type":"g1","status":"True"},{"type":"g2","status":"False"}]}}
            """);
        Assert.Equal(["1.1.1.1", "n1", "n2", "1/2"], row.Skip(5));
    }

    [Fact]
    public void Cells_CompletedWithRunningContainer_RunningOrNotReady()
    {
        var json = """
            {"metadata":{"name":"p"},"spec":{"containers":[{"name":"a"},{"name":"b"}]},
             "status":{"phase":"Running","conditions":[COND],"containerStatuses":[
               {"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
               {"name":"b","ready":true,"state":{"running":{}}}]}}
            """;
        Assert.Equal("Running", Row(json.Replace("COND", """{"type":"Ready","status":"True"}"""))[2]);
        Assert.Equal("NotReady", Row(json.Replace("COND", """{"type":"Ready","status":"False"}"""))[2]);
    }

    [Fact]
    public void Table_HasUpstreamColumns()
    {
        Assert.Equal(["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"], PodPrinter.Table.Columns.Select(c => c.Name));
        Assert.Equal("name", PodPrinter.Table.Columns[0].Format);
        Assert.Equal([0, 0, 0, 0, 0, 1, 1, 1, 1], PodPrinter.Table.Columns.Select(c => c.Priority));
    }
}
