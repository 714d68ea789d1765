namespace Ingestd.Parsing.Dialects.Protobuf;

/// <summary>Protobuf wire types (protobuf encoding guide, "Message Structure"); groups (3, 4) are not accepted.</summary>
internal enum ProtoWireType : byte
{
    Varint = 0,
    Fixed64 = 1,
    Len = 2,
    Fixed32 = 5,
}
