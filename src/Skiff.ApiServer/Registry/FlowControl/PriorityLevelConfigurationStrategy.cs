using System.Globalization;
using System.Text.Json.Nodes;
using Skiff.Api.Validation;
using Skiff.ApiServer.Registry.Printing;

namespace Skiff.ApiServer.Registry.FlowControl;

/// <summary>
/// flowcontrol.apiserver.k8s.io/v1 prioritylevelconfigurations (upstream <c>pkg/apis/flowcontrol/v1/defaults.go</c>
/// and validation): v1 defaults (nominalConcurrencyShares 30 for Limited, 0 for Exempt; lendablePercent 0; queuing
/// 64 queues, hand size 8, queue length limit 50); type Exempt if and only if the name is <c>exempt</c>; queuing
/// parameters within shuffle sharding's 60 bits of entropy. Printer: TYPE, NOMINALCONCURRENCYSHARES, QUEUES,
/// HANDSIZE, QUEUELENGTHLIMIT, AGE.
/// </summary>
public sealed class PriorityLevelConfigurationStrategy : ResourceStrategy
{
    /// <summary>The most queues a level may have.</summary>
    public const long MaxQueues = 10_000_000;

    /// <summary>The most hash bits shuffle sharding may need (upstream <c>shufflesharding.MaxHashBits</c>).</summary>
    public const int MaxHashBits = 60;

    private static readonly string[] Types = ["Exempt", "Limited"];
    private static readonly string[] LimitResponseTypes = ["Queue", "Reject"];

    /// <summary>The shared instance.</summary>
    public static PriorityLevelConfigurationStrategy Instance { get; } = new();

    /// <inheritdoc/>
    public override bool HasStatusSubresource => true;

    /// <inheritdoc/>
    public override IReadOnlyList<string>? GenerationFields => ["spec"];

    /// <inheritdoc/>
    public override void ApplyDefaults(JsonObject obj)
    {
        if (JsonPath.Obj(obj, "spec", "limited") is { } limited)
        {
            limited["nominalConcurrencyShares"] ??= 30;
            limited["lendablePercent"] ??= 0;
            if (JsonPath.Obj(limited, "limitResponse", "queuing") is { } q)
            {
                q["queues"] ??= 64;
                q["handSize"] ??= 8;
                q["queueLengthLimit"] ??= 50;
            }
        }

        if (JsonPath.Obj(obj, "spec", "exempt") is { } exempt)
        {
            exempt["nominalConcurrencyShares"] ??= 0;
            exempt["lendablePercent"] ??= 0;
        }
    }

    /// <summary>The bits of hash shuffle sharding needs to deal <paramref name="handSize"/> of <paramref name="deckSize"/> cards.</summary>
    public static int RequiredEntropyBits(long deckSize, long handSize) => (int)Math.Ceiling(Math.Log2(deckSize) * handSize);

    /// <inheritdoc/>
    public override IEnumerable<FieldError> ValidateCreate(JsonObject obj)
    {
        var errors = new List<FieldError>();
        var name = JsonPath.Name(obj);
        var type = JsonPath.Str(obj, "spec", "type") ?? "";
        if ((name == "exempt") != (type == "Exempt"))
        {
            errors.Add(FieldError.Invalid("spec.type", Rules.Q(type), "type must be 'Exempt' if and only if name is 'exempt'"));
        }

        switch (type)
        {
            case "Exempt":
                if (JsonPath.Get(obj, "spec", "limited") is not null)
                {
                    errors.Add(FieldError.Forbidden("spec.limited", "must be nil if the type is not Limited"));
                }

                if (JsonPath.Obj(obj, "spec", "exempt") is { } exempt)
                {
                    errors.AddRange(Shares(exempt, "spec.exempt"));
                }

                break;
            case "Limited":
                if (JsonPath.Get(obj, "spec", "exempt") is not null)
                {
                    errors.Add(FieldError.Forbidden("spec.exempt", "must be nil if the type is Limited"));
                }

                if (JsonPath.Obj(obj, "spec", "limited") is not { } limited)
                {
                    errors.Add(FieldError.Required("spec.limited", "must not be empty when type is Limited"));
                }
                else
                {
                    errors.AddRange(Shares(limited, "spec.limited"));
                    errors.AddRange(LimitResponse(JsonPath.Obj(limited, "limitResponse") ?? [], "spec.limited.limitResponse"));
                }

                break;
            default:
                errors.Add(FieldError.NotSupported("spec.type", Rules.Q(type), Types));
                break;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var c in JsonPath.Arr(obj, "status", "conditions") ?? [])
        {
            var ct = JsonPath.Str(c, "type") ?? "";
            if (ct.Length == 0)
            {
                errors.Add(FieldError.Required($"status.conditions[{i}].type", "must not be empty"));
            }
            else if (!seen.Add(ct))
            {
                errors.Add(FieldError.Duplicate($"status.conditions[{i}].type", Rules.Q(ct)));
            }

            i++;
        }

        return errors;
    }

    /// <inheritdoc/>
    public override TableDefinition Table { get; } = new(
        [
            Columns.Name,
            Columns.S("Type", "`type` indicates whether this priority level is subject to limitation on request execution.  A value of `\"Exempt\"` means that requests of this priority level are not subject to a limit (and thus are never queued) and do not detract from the capacity made available to other priority levels.  A value of `\"Limited\"` means that (a) requests of this priority level _are_ subject to limits and (b) some of the server's limited capacity is made available exclusively to this priority level. Required."),
            Columns.S("NominalConcurrencyShares", "`nominalConcurrencyShares` (NCS) contributes to the computation of the NominalConcurrencyLimit (NominalCL) of this level. This is the number of execution seats available at this priority level."),
            Columns.S("Queues", "`queues` is the number of queues for this priority level. The queues exist independently at each apiserver. The value must be positive.  Setting it to 1 effectively precludes shufflesharding and thus makes the distinguisher method of associated flow schemas irrelevant.  This field has a default value of 64."),
            Columns.S("HandSize", "`handSize` is a small positive number that configures the shuffle sharding of requests into queues.  When enqueuing a request at this priority level the request's flow identifier (a string pair) is hashed and the hash value is used to shuffle the list of queues and deal a hand of the size specified here.  The request is put into one of the shortest queues in that hand. `handSize` must be no larger than `queues`, and should be significantly smaller (so that a few heavy flows do not saturate most of the queues).  See the user-facing documentation for more extensive guidance on setting this field.  This field has a default value of 8."),
            Columns.S("QueueLengthLimit", "`queueLengthLimit` is the maximum number of requests allowed to be waiting in a given queue of this priority level at a time; excess requests are rejected.  This value must be positive.  If not specified, it will be defaulted to 50."),
            Columns.Age,
        ],
        (o, now) =>
        {
            object ncs = "<none>", queues = "<none>", handSize = "<none>", limit = "<none>";
            if (JsonPath.Obj(o, "spec", "limited") is { } limited)
            {
                ncs = Cells.Int(limited, "nominalConcurrencyShares");
                if (JsonPath.Obj(limited, "limitResponse", "queuing") is { } q)
                {
                    queues = Cells.Int(q, "queues");
                    handSize = Cells.Int(q, "handSize");
                    limit = Cells.Int(q, "queueLengthLimit");
                }
            }

            return [JsonPath.Name(o), JsonPath.Str(o, "spec", "type") ?? "", ncs, queues, handSize, limit, Cells.Age(o, now)];
        });

    private static IEnumerable<FieldError> Shares(JsonObject level, string path)
    {
        if (JsonPath.Long(level, "nominalConcurrencyShares") is < 0 and var ncs)
        {
            yield return FieldError.Invalid($"{path}.nominalConcurrencyShares", Num(ncs), "must be a non-negative integer");
        }

        if (JsonPath.Long(level, "lendablePercent") is { } lp && lp is < 0 or > 100)
        {
            yield return FieldError.Invalid($"{path}.lendablePercent", Num(lp), "must be between 0 and 100, inclusive");
        }

        if (JsonPath.Long(level, "borrowingLimitPercent") is < 0 and var blp)
        {
            yield return FieldError.Invalid($"{path}.borrowingLimitPercent", Num(blp), "if specified, must be a non-negative integer");
        }
    }

    private static IEnumerable<FieldError> LimitResponse(JsonObject response, string path)
    {
        var type = JsonPath.Str(response, "type") ?? "";
        switch (type)
        {
            case "Reject":
                if (response["queuing"] is not null)
                {
                    yield return FieldError.Forbidden($"{path}.queuing", "must be nil if limited.limitResponse.type is not Limited");
                }

                break;
            case "Queue":
                if (JsonPath.Obj(response, "queuing") is not { } q)
                {
                    yield return FieldError.Required($"{path}.queuing", "must not be empty if limited.limitResponse.type is Limited");
                    break;
                }

                var qll = JsonPath.Long(q, "queueLengthLimit") ?? 0;
                if (qll <= 0)
                {
                    yield return FieldError.Invalid($"{path}.queuing.queueLengthLimit", Num(qll), "must be positive");
                }

                var queues = JsonPath.Long(q, "queues") ?? 0;
                var hand = JsonPath.Long(q, "handSize") ?? 0;
                if (queues <= 0)
                {
                    yield return FieldError.Invalid($"{path}.queuing.queues", Num(queues), "must be positive");
                }
                else if (queues > MaxQueues)
                {
                    yield return FieldError.Invalid($"{path}.queuing.queues", Num(queues), $"must not be greater than {MaxQueues}");
                }

                if (hand <= 0)
                {
                    yield return FieldError.Invalid($"{path}.queuing.handSize", Num(hand), "must be positive");
                }
                else if (hand > queues)
                {
                    yield return FieldError.Invalid($"{path}.queuing.handSize", Num(hand), $"should not be greater than queues ({queues})");
                }
                else if (RequiredEntropyBits(queues, hand) > MaxHashBits)
                {
                    yield return FieldError.Invalid($"{path}.queuing.handSize", Num(hand),
                        $"required entropy bits of deckSize {queues} and handSize {hand} should not be greater than {MaxHashBits}");
                }

                break;
            default:
                yield return FieldError.NotSupported($"{path}.type", Rules.Q(type), LimitResponseTypes);
                break;
        }
    }

    private static string Num(long value) => value.ToString(CultureInfo.InvariantCulture);
}
