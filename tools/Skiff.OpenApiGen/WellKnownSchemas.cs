using System.Text.Json.Nodes;

namespace Skiff.OpenApiGen;

/// <summary>
/// The handful of apimachinery (and apiextensions) types that the KubernetesClient models represent as C#
/// primitives or <c>object</c> — so reflection cannot describe them — written out as upstream's OpenAPI v3 does
/// (kube-openapi's <c>OpenAPISchemaType</c>/<c>OpenAPISchemaFormat</c>/<c>OpenAPIV3OneOfTypes</c> for each Go type).
/// A schema without "type" accepts any JSON value.
/// </summary>
internal static class WellKnownSchemas
{
    public const string Time = "io.k8s.apimachinery.pkg.apis.meta.v1.Time";
    public const string MicroTime = "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime";
    public const string IntOrString = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
    public const string Quantity = "io.k8s.apimachinery.pkg.api.resource.Quantity";
    public const string RawExtension = "io.k8s.apimachinery.pkg.runtime.RawExtension";
    public const string FieldsV1 = "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1";
    public const string Patch = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
    private const string Ext = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.";
    public const string Json = Ext + "JSON";
    public const string JsonSchemaPropsOrBool = Ext + "JSONSchemaPropsOrBool";
    public const string JsonSchemaPropsOrArray = Ext + "JSONSchemaPropsOrArray";
    public const string JsonSchemaPropsOrStringArray = Ext + "JSONSchemaPropsOrStringArray";
    public const string CustomResourceSubresourceStatus = Ext + "CustomResourceSubresourceStatus";

    /// <summary>Builds the schema of a well-known type, or returns null when the name is not one.</summary>
    public static JsonObject? Build(string name) => name switch
    {
        Time => Scalar("Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON. Wrappers are provided for many of the factory methods that the time package offers.", "string", "date-time"),
        MicroTime => Scalar("MicroTime is version of Time with microsecond level precision.", "string", "date-time"),
        IntOrString => new JsonObject
        {
            ["description"] = "IntOrString is a type that can hold an int32 or a string. When used in JSON or YAML marshalling and unmarshalling, it produces or consumes the inner type. This allows you to have, for example, a JSON field that can accept a name or number.",
            ["format"] = "int-or-string",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "integer" }, new JsonObject { ["type"] = "string" }),
        },
        Quantity => new JsonObject
        {
            ["description"] = "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n``` <quantity> ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the \"\" case in <decimalSI>.)\n\n<digit> ::= 0 | 1 | ... | 9 <digits> ::= <digit> | <digit><digits> <number> ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign> ::= \"+\" | \"-\" <signedNumber> ::= <number> | <sign><number> <suffix> ::= <binarySI> | <decimalExponent> | <decimalSI> <binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI> ::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose the capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```",
            ["oneOf"] = new JsonArray(new JsonObject { ["type"] = "string" }, new JsonObject { ["type"] = "number" }),
        },
        RawExtension => Scalar("RawExtension is used to hold extensions in external versions. It holds an embedded object of any kind, with its own apiVersion and kind; its contents are not checked against a schema.", "object", null),
        FieldsV1 => Scalar("FieldsV1 stores a set of fields in a data structure like a Trie, in JSON format.\n\nEach key is either a '.' representing the field itself, and will always map to an empty set, or a string representing a sub-field or item. The string will follow one of these four formats: 'f:<name>', where <name> is the name of a field in a struct, or key in a map 'v:<value>', where <value> is the exact json formatted value of a list item 'i:<index>', where <index> is position of a item in a list 'k:<keys>', where <keys> is a map of  a list item's key fields to their unique values If a key maps to an empty Fields value, the field that key represents is part of the set.\n\nThe exact format is defined in sigs.k8s.io/structured-merge-diff", "object", null),
        Patch => Scalar("Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.", "object", null),
        Json => Scalar("JSON represents any valid JSON value. These types are supported: bool, int64, float64, string, []interface{}, map[string]interface{} and nil.", null, null),
        JsonSchemaPropsOrBool => Scalar("JSONSchemaPropsOrBool represents JSONSchemaProps or a boolean value. Defaults to true for the boolean property.", null, null),
        JsonSchemaPropsOrArray => Scalar("JSONSchemaPropsOrArray represents a value that can either be a JSONSchemaProps or an array of JSONSchemaProps. Mainly here for serialization purposes.", null, null),
        JsonSchemaPropsOrStringArray => Scalar("JSONSchemaPropsOrStringArray represents a JSONSchemaProps or a string array.", null, null),
        CustomResourceSubresourceStatus => Scalar("CustomResourceSubresourceStatus defines how to serve the status subresource for CustomResources. Status is represented by the `.status` JSON path inside of a CustomResource. When set, * exposes a /status subresource for the custom resource * PUT requests to the /status subresource take a custom resource object, and ignore changes to anything except the status stanza * PUT/POST/PATCH requests to the custom resource ignore changes to the status stanza", "object", null),
        _ => null,
    };

    /// <summary>
    /// The well-known schema behind a model property typed <c>object</c>, for the apiextensions types the 1.32
    /// proto facts do not cover (keyed by the owner schema's short name and the JSON field name).
    /// </summary>
    public static string? ForUntypedApiExtensionsField(string ownerShortName, string jsonName) => (ownerShortName, jsonName) switch
    {
        ("JSONSchemaProps", "additionalProperties" or "additionalItems") => JsonSchemaPropsOrBool,
        ("JSONSchemaProps", "items") => JsonSchemaPropsOrArray,
        ("JSONSchemaProps", "dependencies") => JsonSchemaPropsOrStringArray,
        ("JSONSchemaProps", "default" or "example" or "enum") => Json,
        ("CustomResourceSubresources", "status") => CustomResourceSubresourceStatus,
        _ => null,
    };

    private static JsonObject Scalar(string description, string? type, string? format)
    {
        var o = new JsonObject { ["description"] = description };
        if (format is not null)
        {
            o["format"] = format;
        }

        if (type is not null)
        {
            o["type"] = type;
        }

        return o;
    }
}
