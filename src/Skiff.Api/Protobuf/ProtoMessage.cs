namespace Skiff.Api.Protobuf;

/// <summary>A message whose JSON form is not a plain object of its fields.</summary>
public enum SpecialType : byte
{
    None,
    Time,
    MicroTime,
    Duration,
    Quantity,
    IntOrString,
    RawExtension,
    FieldsV1,
    StringList,
}

/// <summary>One protobuf message of the schema: its fields in Go declaration order and by number.</summary>
public sealed class ProtoMessage
{
    private ProtoField?[] _byNumber = [];
    private Dictionary<int, ProtoField>? _byNumberSparse;

    internal ProtoMessage(string name, bool isKind)
    {
        Name = name;
        IsKind = isKind;
        Special = name switch
        {
            "k8s.io.apimachinery.pkg.apis.meta.v1.Time" => SpecialType.Time,
            "k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime" => SpecialType.MicroTime,
            "k8s.io.apimachinery.pkg.apis.meta.v1.Duration" => SpecialType.Duration,
            "k8s.io.apimachinery.pkg.api.resource.Quantity" => SpecialType.Quantity,
            "k8s.io.apimachinery.pkg.api.resource.QuantityValue" => SpecialType.Quantity,
            "k8s.io.apimachinery.pkg.util.intstr.IntOrString" => SpecialType.IntOrString,
            "k8s.io.apimachinery.pkg.runtime.RawExtension" => SpecialType.RawExtension,
            "k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1" => SpecialType.FieldsV1,
            _ => SpecialType.None,
        };
    }

    public string Name { get; }

    /// <summary>A top-level kind (its Go struct embeds TypeMeta).</summary>
    public bool IsKind { get; }

    public SpecialType Special { get; private set; }

    /// <summary>Fields in Go declaration order (the order of the JSON form).</summary>
    public ProtoField[] Fields { get; private set; } = [];

    /// <summary>Fields in field-number order (the order gogo writes them).</summary>
    public ProtoField[] EncodeOrder { get; private set; } = [];

    public bool HasInline { get; private set; }

    /// <summary>The JSON-name lookup of the JSON encoder (built on first use; see ProtoNameTable).</summary>
    internal ProtoNameTable? NameTable { get; set; }

    /// <summary>The streaming encoder's per-message plan (built on first use; see ProtoStreamEncoder).</summary>
    internal ProtoStreamEncoder.Plan? StreamPlan { get; set; }

    /// <summary>The body with every field absent (<see cref="ProtoZero.Body"/>, built on first use).</summary>
    internal byte[]? ZeroBody { get; set; }

    internal void SetFields(List<ProtoField> fields)
    {
        Fields = [.. fields];
        for (var i = 0; i < Fields.Length; i++)
        {
            Fields[i].Index = i;
        }

        EncodeOrder = [.. fields.OrderBy(f => f.Number)];
        HasInline = fields.Any(f => f.Inline);
        var max = fields.Count == 0 ? 0 : fields.Max(f => f.Number);
        if (max < 256)
        {
            _byNumber = new ProtoField?[max + 1];
            foreach (var f in fields)
            {
                _byNumber[f.Number] = f;
            }
        }
        else
        {
            _byNumberSparse = fields.ToDictionary(f => f.Number);
        }

        if (Special == SpecialType.None && fields.Count == 1 && fields[0] is { Number: 1, JsonName: "items", Label: ProtoLabel.Repeated, Type: ProtoType.String, Pointer: true })
        {
            Special = SpecialType.StringList; // Go named []string types (ExtraValue, Verbs): a JSON array
        }
    }

    /// <summary>The field with this number, or null when the schema has none (skipped like gogo does).</summary>
    public ProtoField? FieldByNumber(int number)
    {
        if (_byNumberSparse is not null)
        {
            return _byNumberSparse.GetValueOrDefault(number);
        }

        return (uint)number < (uint)_byNumber.Length ? _byNumber[number] : null;
    }

    public override string ToString() => Name;
}
