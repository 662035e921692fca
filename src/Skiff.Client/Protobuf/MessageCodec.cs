using System.Runtime.CompilerServices;
using Skiff.Api.Protobuf;

namespace Skiff.Client.Protobuf;

/// <summary>A nested message ⇄ a model object of type <typeparamref name="TModel"/> (through its binder).</summary>
internal sealed class MessageCodec<TModel>(ModelBinder binder) : ValueCodec<TModel?>
    where TModel : class
{
    public override int WireType => 2;

    public override bool FillsZero => true;

    public override TModel? Read(ref ProtoReader reader, int depth)
    {
        var data = reader.ReadLengthDelimited();
        var obj = binder.Create();
        binder.Decode(data, obj, depth + 1);
        return Unsafe.As<TModel>(obj);
    }

    public override TModel? Zero(int depth)
    {
        var obj = binder.Create();
        binder.Decode(default, obj, depth + 1);
        return Unsafe.As<TModel>(obj);
    }

    public override void Write(ProtoWriter writer, int number, TModel? value, int depth)
    {
        binder.EncodeNested(value, writer, number, depth + 1);
    }

    public override void WriteZero(ProtoWriter writer, int number) => ZeroWriter.WriteZeroMessage(writer, number, binder.Message);
}
