namespace Ingestd.Parsing.Dialects.Elastic;

/// <summary>
/// Ways an action line may be improper that Elasticsearch 8.x accepts with a deprecation warning
/// (its bulk parser stops reading the line after the action's metadata object; 9.0 refuses them).
/// </summary>
[Flags]
internal enum ActionLineWarnings : byte
{
    None = 0,
    MultipleKeys = 1,   // {"index":{…},"attempts":0}
    TrailingData = 2,   // {"index":{…}} {…}
    Unclosed = 4,       // {"index":{…}
}
