using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Xunit;

namespace Skiff.Api.Tests.Validation;

public class ObjectMetaValidationTests
{
    private static JsonObject Meta(string json) => JsonNode.Parse(json)!.AsObject();

    private static List<string> Texts(IEnumerable<FieldError> errs) => errs.Select(e => e.ToString()).ToList();

    [Fact]
    public void ValidateObjectMeta_Valid_NoErrors()
    {
        var meta = Meta("""{"name":"web","namespace":"default","labels":{"app":"web"},"annotations":{"example.com/x":"y"},"finalizers":["example.com/f"]}""");
        Assert.Empty(ObjectMetaValidation.ValidateObjectMeta(meta, true, NameValidation.NameIsDnsSubdomain));
    }

    [Fact]
    public void ValidateObjectMeta_MissingNameAndNamespace_Required()
    {
        Assert.Equal(
            new[] { "metadata.name: Required value: name or generateName is required", "metadata.namespace: Required value" },
            Texts(ObjectMetaValidation.ValidateObjectMeta(new JsonObject(), true, NameValidation.NameIsDnsSubdomain)));
    }

    [Fact]
    public void ValidateObjectMeta_NamespaceOnClusterScoped_Forbidden()
    {
        Assert.Equal(
            new[] { "metadata.namespace: Forbidden: not allowed on this type" },
            Texts(ObjectMetaValidation.ValidateObjectMeta(Meta("""{"name":"n","namespace":"x"}"""), false, NameValidation.NameIsDnsSubdomain)));
    }

    [Fact]
    public void ValidateObjectMeta_BadName_UpstreamText()
    {
        var errs = ObjectMetaValidation.ValidateObjectMeta(Meta("""{"name":"Foo_bar","namespace":"default"}"""), true, ValueValidation.IsDns1123Subdomain);
        var e = Assert.Single(errs);
        Assert.Equal(
            "metadata.name: Invalid value: \"Foo_bar\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
            e.ToString());
        Assert.Equal("FieldValueInvalid", e.Reason);
    }

    [Fact]
    public void ValidateObjectMeta_GenerateNameWithTrailingDash_Accepted()
    {
        var errs = ObjectMetaValidation.ValidateObjectMeta(Meta("""{"generateName":"web-","name":"web-abcde","namespace":"d"}"""), true, ValueValidation.IsDns1123Subdomain);
        Assert.Empty(errs);
    }

    [Fact]
    public void ValidateObjectMeta_BadLabelsAnnotationsFinalizers_AllReported()
    {
        var meta = Meta("""{"name":"a","labels":{"a/b/c":"-x"},"annotations":{"_bad":"v"},"finalizers":["orphan","foregroundDeletion","a b"],"generation":-1}""");
        var texts = Texts(ObjectMetaValidation.ValidateObjectMeta(meta, false, NameValidation.NameIsDnsSubdomain));
        Assert.Contains("metadata.generation: Invalid value: -1: must be greater than or equal to 0", texts);
        Assert.Contains(texts, t => t.StartsWith("metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("metadata.labels: Invalid value: \"-x\": a valid label must be an empty string", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("metadata.annotations: Invalid value: \"_bad\": name part must consist", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("metadata.finalizers: Invalid value: \"a b\": name part must consist", StringComparison.Ordinal));
        Assert.Contains("metadata.finalizers: Invalid value: []string{\"orphan\", \"foregroundDeletion\", \"a b\"}: finalizer orphan and foregroundDeletion cannot be both set", texts);
    }

    [Fact]
    public void ValidateObjectMeta_AnnotationsTooLarge_TooLong()
    {
        var meta = new JsonObject { ["name"] = "a", ["annotations"] = new JsonObject { ["k"] = new string('x', 256 * 1024) } };
        Assert.Equal(
            new[] { "metadata.annotations: Too long: may not be more than 262144 bytes" },
            Texts(ObjectMetaValidation.ValidateObjectMeta(meta, false, NameValidation.NameIsDnsSubdomain)));
    }

    [Fact]
    public void ValidateObjectMeta_OwnerReferences_MissingFieldsAndTwoControllers()
    {
        var meta = Meta("""{"name":"a","ownerReferences":[{"apiVersion":"apps/","kind":"","name":"x","uid":"1","controller":true},{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"y","uid":"2","controller":true}]}""");
        var texts = Texts(ObjectMetaValidation.ValidateObjectMeta(meta, false, NameValidation.NameIsDnsSubdomain));
        Assert.True(texts.Count == 3, string.Join("\n", texts));
        Assert.Contains("metadata.ownerReferences.apiVersion: Invalid value: \"apps/\": version must not be empty", texts);
        Assert.DoesNotContain(texts, t => t.StartsWith("metadata.ownerReferences.apiVersion", StringComparison.Ordinal) && t.Contains("apps/v1", StringComparison.Ordinal));
        Assert.Contains("metadata.ownerReferences.kind: Invalid value: \"\": kind must not be empty", texts);
        Assert.Contains(texts, t => t.EndsWith("Only one reference can have Controller set to true. Found \"true\" in references for /x and ReplicaSet/y", StringComparison.Ordinal));
    }

    [Fact]
    public void ValidateObjectMetaUpdate_ImmutableFields_FieldIsImmutable()
    {
        var old = Meta("""{"name":"a","namespace":"d","uid":"u1","resourceVersion":"5","creationTimestamp":"2024-01-01T00:00:00Z","generation":3}""");
        var @new = Meta("""{"name":"b","namespace":"d","uid":"u2","resourceVersion":"5","creationTimestamp":"2024-01-02T03:04:05Z","generation":2}""");
        Assert.Equal(
            new[]
            {
                "metadata.generation: Invalid value: 2: must not be decremented",
                "metadata.name: Invalid value: \"b\": field is immutable",
                "metadata.uid: Invalid value: \"u2\": field is immutable",
                "metadata.creationTimestamp: Invalid value: 2024-01-02 03:04:05 +0000 UTC: field is immutable",
            },
            Texts(ObjectMetaValidation.ValidateObjectMetaUpdate(@new, old)));
    }

    [Fact]
    public void ValidateObjectMetaUpdate_MissingResourceVersionAndNewFinalizerWhileDeleting()
    {
        var old = Meta("""{"name":"a","resourceVersion":"5","deletionTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":0,"finalizers":["a.io/x"]}""");
        var @new = Meta("""{"name":"a","deletionTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":0,"finalizers":["a.io/x","b.io/y"]}""");
        Assert.Equal(
            new[]
            {
                "metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"b.io/y\"}",
                "metadata.resourceVersion: Invalid value: \"\": must be specified for an update",
            },
            Texts(ObjectMetaValidation.ValidateObjectMetaUpdate(@new, old)));
    }

    [Fact]
    public void ValidateObjectMetaUpdate_DeletionFieldsChanged_Immutable()
    {
        var old = Meta("""{"name":"a","resourceVersion":"5"}""");
        var @new = Meta("""{"name":"a","resourceVersion":"5","deletionTimestamp":"2024-01-01T00:00:00Z","deletionGracePeriodSeconds":30}""");
        Assert.Equal(
            new[]
            {
                "metadata.deletionTimestamp: Invalid value: 2024-01-01 00:00:00 +0000 UTC: field is immutable",
                "metadata.deletionGracePeriodSeconds: Invalid value: 30: field is immutable",
            },
            Texts(ObjectMetaValidation.ValidateObjectMetaUpdate(@new, old)));
    }

    [Fact]
    public void ValidateManagedFields_BadOperation()
    {
        var meta = Meta("""{"name":"a","managedFields":[{"manager":"m","operation":"Patch","fieldsType":"FieldsV1"}]}""");
        Assert.Equal(
            new[] { "metadata.managedFields[0].operation: Invalid value: \"Patch\": must be `Apply` or `Update`" },
            Texts(ObjectMetaValidation.ValidateObjectMeta(meta, false, NameValidation.NameIsDnsSubdomain)));
    }
}
