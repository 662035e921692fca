using System.Text.Json.Nodes;
using k8s.Models;
using Skiff.Client.Dynamic;
using Microsoft.Extensions.Time.Testing;
using Skiff.Client.Runtime;
using Xunit;

namespace Skiff.Client.Tests.Runtime;

/// <summary>The cases of apimachinery's meta/conditions_test.go, on <see cref="Conditions"/>.</summary>
public sealed class ConditionsTests
{
    private static readonly DateTime Old = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 9, 30, 15, 500, TimeSpan.Zero));

    private DateTime Now => new(2026, 12, 7, 9, 30, 15, DateTimeKind.Utc); // whole seconds, as metav1.Time

    private static V1Condition C(string type, string status, string reason = "R", string message = "m", long? gen = null, DateTime? ltt = null)
        => new() { Type = type, Status = status, Reason = reason, Message = message, ObservedGeneration = gen, LastTransitionTime = ltt ?? default };

    [Fact]
    public void Set_New_AppendsWithNowWhenNoTransitionTime()
    {
        var list = new List<V1Condition> { C("Ready", "True", ltt: Old) };

        Assert.True(Conditions.Set(list, C("Available", "False"), _time));

        Assert.Equal(2, list.Count);
        Assert.Equal(Now, list[1].LastTransitionTime);
    }

    [Fact]
    public void Set_New_KeepsAGivenTransitionTime()
    {
        var list = new List<V1Condition>();
        Assert.True(Conditions.Set(list, C("Ready", "True", ltt: Old), _time));
        Assert.Equal(Old, Assert.Single(list).LastTransitionTime);
    }

    [Fact]
    public void Set_SameStatus_OtherFields_UpdatesWithoutTouchingTransitionTime()
    {
        var list = new List<V1Condition> { C("Ready", "True", "A", "a", 1, Old) };

        Assert.True(Conditions.Set(list, C("Ready", "True", "B", "b", 2), _time));

        var c = Assert.Single(list);
        Assert.Equal(("B", "b", 2L, Old), (c.Reason, c.Message, c.ObservedGeneration!.Value, (DateTime)c.LastTransitionTime!));
    }

    [Fact]
    public void Set_StatusChange_MovesTransitionTimeToNow_OrToTheGivenTime()
    {
        var list = new List<V1Condition> { C("Ready", "True", ltt: Old) };
        Assert.True(Conditions.Set(list, C("Ready", "False"), _time));
        Assert.Equal(Now, list[0].LastTransitionTime);

        var given = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.True(Conditions.Set(list, C("Ready", "True", ltt: given), _time));
        Assert.Equal(given, list[0].LastTransitionTime);
    }

    [Fact]
    public void Set_Identical_ReportsNoChange()
    {
        var list = new List<V1Condition> { C("Ready", "True", ltt: Old) };
        Assert.False(Conditions.Set(list, C("Ready", "True"), _time));
        Assert.Equal(Old, list[0].LastTransitionTime);
    }

    [Fact]
    public void Remove_Find_Is()
    {
        var list = new List<V1Condition> { C("Ready", "True"), C("Failed", "False") };

        Assert.True(Conditions.IsTrue(list, "Ready"));
        Assert.True(Conditions.IsFalse(list, "Failed"));
        Assert.False(Conditions.IsTrue(list, "Failed"));
        Assert.False(Conditions.IsFalse(list, "Missing"));
        Assert.True(Conditions.IsPresentAndEqual(list, "Ready", "True"));
        Assert.Same(list[1], Conditions.Find(list, "Failed"));
        Assert.Null(Conditions.Find(null, "Ready"));

        Assert.True(Conditions.Remove(list, "Ready"));
        Assert.False(Conditions.Remove(list, "Ready"));
        Assert.Equal("Failed", Assert.Single(list).Type);
    }

    [Fact]
    public void Set_OnADynamicObject_WritesStatusConditionsOnlyWhenChanged()
    {
        var obj = new DynamicObject(JsonNode.Parse("""{"apiVersion":"example.com/v1","kind":"Gadget","metadata":{"name":"g"},"spec":{}}""")!.AsObject());

        Assert.True(Conditions.Set(obj, C("Ready", "False"), _time));
        Assert.False(Conditions.Set(obj, C("Ready", "False"), _time));
        Assert.True(Conditions.Set(obj, C("Ready", "True", "Done"), _time));

        var ready = obj.Object["status"]!["conditions"]![0]!;
        Assert.Equal(("Ready", "True", "Done", "2026-12-07T09:30:15Z"), ((string?)ready["type"], (string?)ready["status"], (string?)ready["reason"], (string?)ready["lastTransitionTime"]));
        Assert.True(Conditions.IsTrue(Conditions.Of(obj), "Ready"));
    }
}
