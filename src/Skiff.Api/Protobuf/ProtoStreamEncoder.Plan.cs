namespace Skiff.Api.Protobuf;

/// <summary>The per-message plan of the streaming encoder.</summary>
internal sealed partial class ProtoStreamEncoder
{
    /// <summary>
    /// How a message's body is laid out: its JSON names mapped to slots (inline messages' fields included, as in
    /// <see cref="ProtoNameTable"/>), and the fields in number order with the bytes written for an absent field.
    /// Immutable once built; built at most a few times concurrently (benign race) and cached on the message.
    /// </summary>
    internal sealed class Plan
    {

        private Plan(ProtoMessage message)
        {
            Message = message;
            Table = ProtoNameTable.For(message);
            SlotFields = new ProtoField[Table.SlotCount];
            SlotExtraDepth = new int[Table.SlotCount];
            var ops = new List<Op>();
            foreach (var field in message.EncodeOrder)
            {
                var slot = Table.SlotOf[field.Index];
                if (field.Inline)
                {
                    var inner = For(field.Message!);
                    InlineDepth = Math.Max(InlineDepth, inner.InlineDepth + 1);
                    for (var i = 0; i < inner.SlotFields.Length; i++)
                    {
                        SlotFields[slot + i] = inner.SlotFields[i];
                        SlotExtraDepth[slot + i] = inner.SlotExtraDepth[i] + 1;
                    }

                    ops.Add(new Op(field, slot, null, inner));
                }
                else
                {
                    SlotFields[slot] = field;
                    ops.Add(new Op(field, slot, null, null));
                }
            }

            Ops = [.. ops];
            SlotRank = new int[Table.SlotCount];
            for (var i = 0; i < Ops.Length; i++)
            {
                if (Ops[i].Inline is null)
                {
                    SlotRank[Ops[i].Slot] = i;
                }
            }

            HasTypeMetaNames = Table.Find("apiVersion"u8) >= 0 || Table.Find("kind"u8) >= 0;
        }

        public ProtoMessage Message { get; }

        public ProtoNameTable Table { get; }

        /// <summary>By slot: the (leaf) field.</summary>
        public ProtoField[] SlotFields { get; }

        /// <summary>By slot: how many inline messages the field sits in (the old encoder counts them as depth).</summary>
        public int[] SlotExtraDepth { get; }

        /// <summary>By slot (outside inline messages): the position of the field in <see cref="Ops"/>.</summary>
        public int[] SlotRank { get; }

        /// <summary>The varint size of the length of the last body encoded (the bytes to keep for the next one's length).</summary>
        public int LengthSizeHint { get; set; } = 1;

        /// <summary>The deepest nesting of inline fields.</summary>
        public int InlineDepth { get; }

        /// <summary>Whether "apiVersion" or "kind" name a field (top-level kind detection then defers to the old path).</summary>
        public bool HasTypeMetaNames { get; }

        /// <summary>Fields in number order.</summary>
        public Op[] Ops { get; }

        /// <summary>The body of the message with every field absent (what gogo writes for a zero struct).</summary>
        public byte[] ZeroBody => ProtoZero.Body(Message);

        /// <summary>The slot of a property name, or -1 (<see cref="ProtoNameTable.Find"/>).</summary>
        public int Find(ReadOnlySpan<byte> name) => Table.Find(name);

        public static Plan For(ProtoMessage message)
        {
            var plan = message.StreamPlan;
            if (plan is null)
            {
                plan = new Plan(message);
                plan.ResolveZeros();
                message.StreamPlan = plan;
            }

            return plan;
        }

        private static byte[] Tagged(int number, int wireType, byte[] payload)
        {
            using var w = new ProtoWriter(payload.Length + 8);
            w.WriteTag(number, wireType);
            w.WriteRaw(payload);
            return w.ToArray();
        }

        private void ResolveZeros()
        {
            var ops = Ops;
            for (var i = 0; i < ops.Length; i++)
            {
                var f = ops[i].Field;
                if (!f.Inline && ProtoZero.IsWrittenWhenAbsent(f))
                {
                    var zero = Tagged(f.Number, f.WireType, ProtoZero.Payload(f));
                    ops[i] = ops[i] with { AbsentZero = zero };
                }
            }
        }

        /// <summary>One field of the plan: its slot (for an inline field: the first slot of its message), the bytes
        /// (tag included) written when it is absent, or for an inline field the plan of its message.</summary>
        public readonly record struct Op(ProtoField Field, int Slot, byte[]? AbsentZero, Plan? Inline);
    }
}
