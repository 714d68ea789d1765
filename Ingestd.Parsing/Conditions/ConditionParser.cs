using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Ingestd.Parsing.Conditions;

/// <summary>
/// Parses the condition language once, at config load, into a <see cref="Condition"/> tree:
/// <code>
/// or      := and (("or" | "||") and)*
/// and     := unary (("and" | "&amp;&amp;") unary)*
/// unary   := ("not" | "!") unary | "(" or ")" | "true" | "false" | call | path [op literal | "in" "[" literal ("," literal)* "]"]
/// call    := "exists(" path ")" | ("starts_with" | "contains" | "matches") "(" path "," string ")"
/// op      := "==" | "!=" | "&lt;" | "&gt;" | "&lt;=" | "&gt;="
/// literal := "string" | 'string' | number | true | false | null
/// </code>
/// A path is a header field (tenant, stream, dialect, kind, service, level) or a dotted JSON path (see <see cref="FieldPath"/>).
/// Errors carry the 1-based column of the problem.
/// </summary>
internal sealed class ConditionParser
{
    private readonly string _text;
    private int _pos;

    private ConditionParser(string text) => _text = text;

    public static Condition Parse(string text)
    {
        var parser = new ConditionParser(text);
        parser.SkipSpace();
        if (parser.AtEnd) throw new ConditionException(1, "empty condition");
        var condition = parser.ParseOr();
        parser.SkipSpace();
        if (!parser.AtEnd) throw parser.Error($"unexpected '{parser.Rest(12)}'");
        return condition;
    }

    private bool AtEnd => _pos >= _text.Length;

    private Condition ParseOr()
    {
        var left = ParseAnd();
        while (TakeWord("or") || Take("||")) left = new OrCondition(left, ParseAnd());
        return left;
    }

    private Condition ParseAnd()
    {
        var left = ParseUnary();
        while (TakeWord("and") || Take("&&")) left = new AndCondition(left, ParseUnary());
        return left;
    }

    private Condition ParseUnary()
    {
        SkipSpace();
        if (AtEnd) throw Error("expected a condition, found the end");
        if (TakeWord("not") || (Peek('!') && !PeekAt(1, '=') && Take("!"))) return new NotCondition(ParseUnary());
        if (Take("("))
        {
            var inner = ParseOr();
            Expect(")");
            return inner;
        }
        if (TakeWord("true")) return new ConstantCondition(true);
        if (TakeWord("false")) return new ConstantCondition(false);

        int at = _pos;
        string word = ReadPathText();
        SkipSpace();
        if (Peek('(')) return ParseCall(word, at);

        var path = ToPath(word, at);
        SkipSpace();
        if (TakeWord("in"))
        {
            Expect("[");
            var literals = new List<ConditionLiteral>();
            do
            {
                literals.Add(ParseLiteral());
            } while (Take(","));
            Expect("]");
            return new InCondition(path, literals.ToArray());
        }
        if (TryOperator(out var op)) return new CompareCondition(path, op, ParseLiteral());
        return new TruthyCondition(path);
    }

    private Condition ParseCall(string name, int at)
    {
        Expect("(");
        SkipSpace();
        int pathAt = _pos;
        var path = ToPath(ReadPathText(), pathAt);
        Condition result;
        switch (name)
        {
            case "exists":
                result = new ExistsCondition(path);
                break;
            case "starts_with":
            case "contains":
                Expect(",");
                result = new TextCondition(path, name == "contains" ? TextTest.Contains : TextTest.StartsWith, System.Text.Encoding.UTF8.GetBytes(ReadString()));
                break;
            case "matches":
                Expect(",");
                SkipSpace();
                int regexAt = _pos;
                string pattern = ReadString();
                try
                {
                    result = new MatchesCondition(path, new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    throw new ConditionException(regexAt + 1, $"invalid regular expression: {e.Message}");
                }
                break;
            default:
                throw new ConditionException(at + 1, $"unknown function '{name}' (exists, starts_with, contains, matches)");
        }
        Expect(")");
        return result;
    }

    private FieldPath ToPath(string text, int at)
    {
        if (text.Length == 0) throw new ConditionException(at + 1, AtEndAt(at) ? "expected a field, found the end" : $"expected a field, found '{RestAt(at, 12)}'");
        var path = FieldPath.TryParse(text, out string? problem) ?? throw new ConditionException(at + 1, problem!);
        if (path.HasWildcard) throw new ConditionException(at + 1, $"'{text}': wildcards are for masks, not conditions");
        return path;
    }

    private bool TryOperator(out CompareOp op)
    {
        SkipSpace();
        op = CompareOp.Equal;
        if (Take("==")) op = CompareOp.Equal;
        else if (Take("!=")) op = CompareOp.NotEqual;
        else if (Take("<=")) op = CompareOp.LessOrEqual;
        else if (Take(">=")) op = CompareOp.GreaterOrEqual;
        else if (Take("<")) op = CompareOp.Less;
        else if (Take(">")) op = CompareOp.Greater;
        else if (Peek('='))
            throw Error("'=' is not an operator; use '=='");
        else return false;
        return true;
    }

    private ConditionLiteral ParseLiteral()
    {
        SkipSpace();
        if (AtEnd) throw Error("expected a value, found the end");
        char c = _text[_pos];
        if (c is '"' or '\'') return ConditionLiteral.String(ReadString());
        if (TakeWord("true")) return ConditionLiteral.Bool(true);
        if (TakeWord("false")) return ConditionLiteral.Bool(false);
        if (TakeWord("null")) return ConditionLiteral.Null;
        if (c == '-' || char.IsAsciiDigit(c))
        {
            int start = _pos++;
            while (!AtEnd && (char.IsAsciiDigit(_text[_pos]) || _text[_pos] is '.' or 'e' or 'E' or '+' or '-')) _pos++;
            if (double.TryParse(_text.AsSpan(start, _pos - start), NumberStyles.Float, CultureInfo.InvariantCulture, out double n))
                return ConditionLiteral.Of(n);
            throw new ConditionException(start + 1, $"'{_text[start.._pos]}' is not a number");
        }
        throw Error($"expected a value (a \"string\", a number, true, false or null), found '{Rest(12)}'");
    }

    private string ReadString()
    {
        SkipSpace();
        if (AtEnd || _text[_pos] is not ('"' or '\'')) throw Error(AtEnd ? "expected a quoted string, found the end" : $"expected a quoted string, found '{Rest(12)}'");
        char quote = _text[_pos];
        int start = _pos++;
        var sb = new StringBuilder();
        while (!AtEnd && _text[_pos] != quote)
        {
            char c = _text[_pos++];
            if (c == '\\')
            {
                if (AtEnd) break;
                char next = _text[_pos++];
                sb.Append(next switch { 'n' => '\n', 't' => '\t', 'r' => '\r', _ => next });
            }
            else sb.Append(c);
        }
        if (AtEnd) throw new ConditionException(start + 1, "unterminated string");
        _pos++;
        return sb.ToString();
    }

    private string ReadPathText()
    {
        int start = _pos;
        while (!AtEnd && IsPathChar(_text[_pos])) _pos++;
        return _text[start.._pos];
    }

    private static bool IsPathChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '$' or '*' or '-' or '@' || c > 127;

    private bool TakeWord(string word)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) return false;
        int end = _pos + word.Length;
        if (end < _text.Length && IsPathChar(_text[end])) return false;
        _pos = end;
        return true;
    }

    private bool Take(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) != 0) return false;
        _pos += token.Length;
        return true;
    }

    private void Expect(string token)
    {
        if (!Take(token)) throw Error(AtEnd ? $"expected '{token}', found the end" : $"expected '{token}', found '{Rest(12)}'");
    }

    private bool Peek(char c) => !AtEnd && _text[_pos] == c;

    private bool PeekAt(int offset, char c) => _pos + offset < _text.Length && _text[_pos + offset] == c;

    private void SkipSpace()
    {
        while (!AtEnd && char.IsWhiteSpace(_text[_pos])) _pos++;
    }

    private string Rest(int max) => RestAt(_pos, max);

    private string RestAt(int at, int max) => _text.Substring(at, Math.Min(max, _text.Length - at));

    private bool AtEndAt(int at) => at >= _text.Length;

    private ConditionException Error(string problem) => new(_pos + 1, problem);
}
