namespace Skiff.Api.Selectors;

/// <summary>Upstream's label selector lexer and recursive-descent parser (labels/selector.go), message for message.</summary>
internal sealed class LabelSelectorParser
{
    private enum Token
    {
        Error,
        EndOfString,
        ClosedPar,
        Comma,
        DoesNotExist,
        DoubleEquals,
        EqualsTok,
        GreaterThan,
        Identifier,
        In,
        LessThan,
        NotEquals,
        NotIn,
        OpenPar,
    }

    private const string BinaryOperators = "in, notin, =, ==, !=, gt, lt";

    private readonly string _s;
    private readonly List<(Token Tok, string Lit)> _items = new();
    private int _lexPos;
    private int _position;

    public LabelSelectorParser(string s) => _s = s;

    private static Token? Keyword(string s) => s switch
    {
        ")" => Token.ClosedPar,
        "," => Token.Comma,
        "!" => Token.DoesNotExist,
        "==" => Token.DoubleEquals,
        "=" => Token.EqualsTok,
        ">" => Token.GreaterThan,
        "in" => Token.In,
        "<" => Token.LessThan,
        "!=" => Token.NotEquals,
        "notin" => Token.NotIn,
        "(" => Token.OpenPar,
        _ => null,
    };

    private static bool IsWhitespace(char c) => c is ' ' or '\t' or '\r' or '\n';

    private static bool IsSpecial(char c) => c is '=' or '!' or '(' or ')' or ',' or '>' or '<';

    private char Read() => _lexPos < _s.Length ? _s[_lexPos++] : '\0';

    private (Token, string) Lex()
    {
        var ch = Read();
        while (IsWhitespace(ch))
        {
            ch = Read();
        }

        if (ch == '\0')
        {
            return (Token.EndOfString, "");
        }

        _lexPos--;
        return IsSpecial(ch) ? ScanSpecial() : ScanIdOrKeyword();
    }

    private (Token, string) ScanIdOrKeyword()
    {
        var start = _lexPos;
        while (_lexPos < _s.Length && !IsSpecial(_s[_lexPos]) && !IsWhitespace(_s[_lexPos]) && _s[_lexPos] != '\0')
        {
            _lexPos++;
        }

        var lit = _s[start.._lexPos];
        if (_lexPos < _s.Length && _s[_lexPos] == '\0')
        {
            _lexPos++;
        }

        return (Keyword(lit) ?? Token.Identifier, lit);
    }

    private (Token, string) ScanSpecial()
    {
        var buffer = "";
        (Token Tok, string Lit)? last = null;
        while (_lexPos < _s.Length && IsSpecial(_s[_lexPos]))
        {
            buffer += _s[_lexPos];
            _lexPos++;
            if (Keyword(buffer) is { } t)
            {
                last = (t, buffer);
            }
            else if (last is not null)
            {
                _lexPos--;
                break;
            }
        }

        return last is { } l ? (l.Tok, l.Lit) : (Token.Error, $"error expected: keyword found '{buffer}'");
    }

    private (Token Tok, string Lit) Lookahead(bool values)
    {
        var (tok, lit) = _items[_position];
        if (values && tok is Token.In or Token.NotIn)
        {
            tok = Token.Identifier;
        }

        return (tok, lit);
    }

    private (Token Tok, string Lit) Consume(bool values)
    {
        var r = Lookahead(values);
        _position++;
        return r;
    }

    public List<LabelRequirement> Parse()
    {
        while (true)
        {
            var item = Lex();
            _items.Add(item);
            if (item.Item1 == Token.EndOfString)
            {
                break;
            }
        }

        var reqs = new List<LabelRequirement>();
        while (true)
        {
            var (tok, lit) = Lookahead(true);
            switch (tok)
            {
                case Token.Identifier or Token.DoesNotExist:
                    LabelRequirement r;
                    try
                    {
                        r = ParseRequirement();
                    }
                    catch (SelectorParseException e)
                    {
                        throw new SelectorParseException("unable to parse requirement: " + e.Message);
                    }

                    reqs.Add(r);
                    var (t, l) = Consume(true);
                    switch (t)
                    {
                        case Token.EndOfString:
                            return reqs;
                        case Token.Comma:
                            var (t2, l2) = Lookahead(true);
                            if (t2 is not (Token.Identifier or Token.DoesNotExist))
                            {
                                throw new SelectorParseException($"found '{l2}', expected: identifier after ','");
                            }

                            break;
                        default:
                            throw new SelectorParseException($"found '{l}', expected: ',' or 'end of string'");
                    }

                    break;
                case Token.EndOfString:
                    return reqs;
                default:
                    throw new SelectorParseException($"found '{lit}', expected: !, identifier, or 'end of string'");
            }
        }
    }

    private LabelRequirement ParseRequirement()
    {
        var (key, op) = ParseKeyAndInferOperator();
        if (op is SelectorOperator.Exists or SelectorOperator.DoesNotExist)
        {
            return LabelRequirement.Create(key, op.Value, Array.Empty<string>());
        }

        var binary = ParseOperator();
        var values = binary is SelectorOperator.In or SelectorOperator.NotIn ? ParseValues() : ParseExactValue();
        return LabelRequirement.Create(key, binary, values.OrderBy(v => v, StringComparer.Ordinal));
    }

    private (string Key, SelectorOperator? Op) ParseKeyAndInferOperator()
    {
        SelectorOperator? op = null;
        var (tok, lit) = Consume(true);
        if (tok == Token.DoesNotExist)
        {
            op = SelectorOperator.DoesNotExist;
            (tok, lit) = Consume(true);
        }

        if (tok != Token.Identifier)
        {
            throw new SelectorParseException($"found '{lit}', expected: identifier");
        }

        if (LabelRequirement.ValidateKey(lit, "<nil>") is { } err)
        {
            throw new SelectorParseException(err.ToString());
        }

        var (next, _) = Lookahead(true);
        if (next is Token.EndOfString or Token.Comma && op != SelectorOperator.DoesNotExist)
        {
            op = SelectorOperator.Exists;
        }

        return (lit, op);
    }

    private SelectorOperator ParseOperator()
    {
        var (tok, lit) = Consume(false);
        return tok switch
        {
            Token.In => SelectorOperator.In,
            Token.EqualsTok => SelectorOperator.Equals,
            Token.DoubleEquals => SelectorOperator.DoubleEquals,
            Token.GreaterThan => SelectorOperator.GreaterThan,
            Token.LessThan => SelectorOperator.LessThan,
            Token.NotIn => SelectorOperator.NotIn,
            Token.NotEquals => SelectorOperator.NotEquals,
            _ => throw new SelectorParseException($"found '{lit}', expected: {BinaryOperators}"),
        };
    }

    private SortedSet<string> ParseValues()
    {
        var (tok, lit) = Consume(true);
        if (tok != Token.OpenPar)
        {
            throw new SelectorParseException($"found '{lit}' expected: '('");
        }

        (tok, lit) = Lookahead(true);
        switch (tok)
        {
            case Token.Identifier or Token.Comma:
                var s = ParseIdentifiersList();
                if (Consume(true).Tok != Token.ClosedPar)
                {
                    throw new SelectorParseException($"found '{lit}', expected: ')'");
                }

                return s;
            case Token.ClosedPar:
                Consume(true);
                return new SortedSet<string>(StringComparer.Ordinal) { "" };
            default:
                throw new SelectorParseException($"found '{lit}', expected: ',', ')' or identifier");
        }
    }

    private SortedSet<string> ParseIdentifiersList()
    {
        var s = new SortedSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var (tok, lit) = Consume(true);
            switch (tok)
            {
                case Token.Identifier:
                    s.Add(lit);
                    var (tok2, lit2) = Lookahead(true);
                    switch (tok2)
                    {
                        case Token.Comma:
                            continue;
                        case Token.ClosedPar:
                            return s;
                        default:
                            throw new SelectorParseException($"found '{lit2}', expected: ',' or ')'");
                    }

                case Token.Comma:
                    if (s.Count == 0)
                    {
                        s.Add("");
                    }

                    var (t2, _) = Lookahead(true);
                    if (t2 == Token.ClosedPar)
                    {
                        s.Add("");
                        return s;
                    }

                    if (t2 == Token.Comma)
                    {
                        Consume(true);
                        s.Add("");
                    }

                    break;
                default:
                    throw new SelectorParseException($"found '{lit}', expected: ',', or identifier");
            }
        }
    }

    private SortedSet<string> ParseExactValue()
    {
        var s = new SortedSet<string>(StringComparer.Ordinal);
        var (tok, _) = Lookahead(true);
        if (tok is Token.EndOfString or Token.Comma)
        {
            s.Add("");
            return s;
        }

        var (t, lit) = Consume(true);
        if (t == Token.Identifier)
        {
            s.Add(lit);
            return s;
        }

        throw new SelectorParseException($"found '{lit}', expected: identifier");
    }
}
