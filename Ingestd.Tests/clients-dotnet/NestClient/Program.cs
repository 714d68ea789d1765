// dotnet NestClient.dll URL PASSWORD INDEX COUNT TAG — the real NEST 7.17 client in REST API compatibility mode
// (EnableApiVersioningHeader: compatible-with=7), as applications still on NEST talk to an 8.x cluster. Sends COUNT
// marked documents in bulks of 25 with IndexMany, then refreshes the index; prints one JSON line summarising what
// NEST made of each response (its validity check is the point: an item without "_type" makes it invalid).
using System.Text.Json;
using Elasticsearch.Net;
using Nest;

string url = args[0], password = args[1], index = args[2], tag = args[4];
int count = int.Parse(args[3]);
var settings = new ConnectionSettings(new Uri(url))
    .BasicAuthentication("elastic", password)
    .EnableApiVersioningHeader()
    .DefaultIndex(index)
    .RequestTimeout(TimeSpan.FromSeconds(10));
var client = new ElasticClient(settings);
var levels = new[] { "info", "warn", "error", "debug" };
var start = new DateTimeOffset(2025, 2, 20, 8, 0, 0, TimeSpan.Zero);

int valid = 0, invalid = 0, itemsOk = 0, itemsWithType = 0;
var problems = new List<string>();
for (int first = 0; first < count; first += 25)
{
    var docs = Enumerable.Range(first, Math.Min(25, count - first))
        .Select(i => new LogDoc { Timestamp = start.AddSeconds(i), Message = $"{tag}-{i}", Level = levels[i % levels.Length], N = i })
        .ToList();
    var response = client.IndexMany(docs);
    if (response.IsValid) valid++;
    else
    {
        invalid++;
        problems.Add(response.DebugInformation.Split('\n')[0]);
    }
    foreach (var item in response.Items)
    {
        if (item.IsValid && item.Status == 201) itemsOk++;
        if (item.Type == "_doc") itemsWithType++;
    }
}
var refresh = client.Indices.Refresh(index);
Console.WriteLine(JsonSerializer.Serialize(new
{
    valid, invalid, itemsOk, itemsWithType, refreshed = refresh.IsValid, problems,
}));
return invalid == 0 && refresh.IsValid ? 0 : 1;

internal sealed class LogDoc
{
    [PropertyName("@timestamp")]
    public DateTimeOffset Timestamp { get; set; }
    [PropertyName("message")]
    public string Message { get; set; } = "";
    [PropertyName("level")]
    public string Level { get; set; } = "";
    [PropertyName("n")]
    public int N { get; set; }
}
