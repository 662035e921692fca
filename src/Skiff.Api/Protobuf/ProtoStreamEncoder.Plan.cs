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
        private readonly byte[]?[] _keys;
        private readonly int[] _values;
        private readonly int _mask;
        private byte[]? _zeroBody;

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
            var size = 16;
            while (size < Table.Names.Count * 4)
            {
                size *= 2;
            }

            _keys = new byte[size][];
            _values = new int[size];
            _mask = size - 1;
            foreach (var (name, slot) in Table.Names)
            {
                var i = Hash(name) & _mask;
                while (_keys[i] is not null)
                {
                    i = (i + 1) & _mask;
                }

                _keys[i] = name;
                _values[i] = slot;
            }
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
        public byte[] ZeroBody => _zeroBody ??= BuildZeroBody();

        /// <summary>The slot of a property name, or -1 (as <see cref="ProtoNameTable.Find"/>, with a hash of a few
        /// words instead of every byte).</summary>
        public int Find(ReadOnlySpan<byte> name)
        {
            var i = Hash(name) & _mask;
            while (_keys[i] is { } key)
            {
                if (name.SequenceEqual(key))
                {
                    return _values[i];
                }

                i = (i + 1) & _mask;
            }

            return -1;
        }

        private static int Hash(ReadOnlySpan<byte> name)
        {
            ulong a, b;
            var n = name.Length;
            if (n >= 8)
            {
                a = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(name);
                b = System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(name[(n - 8)..]);
            }
            else if (n >= 4)
            {
                a = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(name);
                b = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(name[(n - 4)..]);
            }
            else
            {
                a = n == 0 ? 0UL : name[0] | ((ulong)name[n - 1] << 8) | ((ulong)name[n / 2] << 16);
                b = 0;
            }

            var h = ((a * 0x9E3779B97F4A7C15UL) ^ (b * 0xC2B2AE3D27D4EB4FUL)) + (ulong)n;
            return (int)((h >> 32) ^ (h >> 7));
        }

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

        /// <summary>The bytes after the tag of a zero value of a field's type (an element or map value written as null).</summary>
        public static byte[] ZeroPayload(ProtoField field)
        {
            if (field.StreamZeroPayload is { } cached)
            {
                return cached;
            }

            byte[] payload;
            if (field.Type != ProtoType.Message)
            {
                payload = [0];
            }
            else
            {
                var message = field.Message!;
                payload = message.Special switch
                {
                    SpecialType.Duration => [2, 0x08, 0],
                    SpecialType.Quantity => [3, 0x0a, 1, (byte)'0'],
                    SpecialType.IntOrString => [6, 0x08, 0, 0x10, 0, 0x1a, 0],
                    SpecialType.None => WithLength(For(message).ZeroBody),
                    _ => [0],
                };
            }

            field.StreamZeroPayload = payload;
            return payload;
        }

        private static byte[] WithLength(byte[] body)
        {
            using var w = new ProtoWriter(body.Length + 8);
            w.WriteBytes(body);
            return w.ToArray();
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
                if (!f.Inline && f.Label == ProtoLabel.Optional && !f.Pointer && f.Type != ProtoType.Bytes)
                {
                    var zero = Tagged(f.Number, f.WireType, ZeroPayload(f));
                    ops[i] = ops[i] with { AbsentZero = zero };
                }
            }
        }

        private byte[] BuildZeroBody()
        {
            using var w = new ProtoWriter(64);
            foreach (var op in Ops)
            {
                if (op.Inline is { } inner)
                {
                    w.WriteTag(op.Field.Number, 2);
                    w.WriteBytes(inner.ZeroBody);
                }
                else if (op.AbsentZero is { } zero)
                {
                    w.WriteRaw(zero);
                }
            }

            return w.ToArray();
        }

        /// <summary>One field of the plan: its slot (for an inline field: the first slot of its message), the bytes
        /// (tag included) written when it is absent, or for an inline field the plan of its message.</summary>
        public readonly record struct Op(ProtoField Field, int Slot, byte[]? AbsentZero, Plan? Inline);
    }
}
