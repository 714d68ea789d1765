using System.Buffers;
using System.Buffers.Text;
using Ingestd.Parsing.Dialects.Json;

namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// Writes the <c>_bulk</c> response body in Elasticsearch's shape:
/// <c>{"took":N,"errors":bool,"items":[{"create":{"_index","_id","_version":1,"result":"created","_shards":{…},"_seq_no","_primary_term":1,"status":201}}, …]}</c>,
/// and for a failed item <c>{"index":{"_index","_id","status":400,"error":{"type","reason"}}}</c>.
/// Shippers (Beats, Logstash, Fluent Bit, Vector) read <c>errors</c> and each item's <c>status</c>
/// and <c>error</c>. Allocates nothing.
/// </summary>
internal static class BulkResponseWriter
{
    /// <param name="v7Compatible">The request asked for 7.x responses (<c>compatible-with=7</c>): each item names <c>"_type":"_doc"</c> as 7.x did.</param>
    public static void Write(IBufferWriter<byte> output, long tookMs, BulkItemList items, bool v7Compatible = false)
    {
        output.Write("{\"took\":"u8);
        WriteNumber(output, tookMs);
        output.Write(items.Errors ? ",\"errors\":true,\"items\":["u8 : ",\"errors\":false,\"items\":["u8);
        for (int i = 0; i < items.Count; i++)
        {
            ref readonly var item = ref items[i];
            if (i > 0) output.Write(","u8);
            output.Write(item.Action switch
            {
                BulkAction.Index => "{\"index\":{\"_index\":"u8,
                BulkAction.Create => "{\"create\":{\"_index\":"u8,
                BulkAction.Update => "{\"update\":{\"_index\":"u8,
                _ => "{\"delete\":{\"_index\":"u8,
            });
            if (item.HasIndex) JsonEscape.WriteQuoted(output, items.Index(i));
            else output.Write("null"u8);
            if (v7Compatible) output.Write(",\"_type\":\"_doc\""u8);
            output.Write(",\"_id\":"u8);
            if (item.HasId) JsonEscape.WriteQuoted(output, items.Id(i));
            else output.Write("null"u8);

            if (!item.Failed)
            {
                // One copy, one shard: the document is stored once, in the segment log.
                output.Write(",\"_version\":1,\"result\":\"created\",\"_shards\":{\"total\":1,\"successful\":1,\"failed\":0},\"_seq_no\":"u8);
                WriteNumber(output, i);
                output.Write(",\"_primary_term\":1,\"status\":"u8);
                WriteNumber(output, item.Status);
                output.Write("}}"u8);
            }
            else
            {
                output.Write(",\"status\":"u8);
                WriteNumber(output, item.Status);
                output.Write(",\"error\":{\"type\":"u8);
                JsonEscape.WriteQuoted(output, item.ErrorType ?? "exception");
                output.Write(",\"reason\":"u8);
                JsonEscape.WriteQuoted(output, item.ErrorReason ?? "");
                output.Write("}}}"u8);
            }
        }
        output.Write("]}"u8);
    }

    private static void WriteNumber(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(20);
        Utf8Formatter.TryFormat(value, span, out int written);
        output.Advance(written);
    }
}
