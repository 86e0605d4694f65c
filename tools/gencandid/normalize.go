package main

import (
	"fmt"
	"regexp"
	"strings"
)

// normalize rewrites a .did as moc emits it into the subset of Candid that
// agent-go v0.9.2's parser accepts, without changing what it means:
//
//   - moc breaks long method signatures inside an argument list
//     ("if_revision:\n    opt nat"), where the parser accepts no line break,
//     so every run of white space outside a quoted name becomes one space;
//   - a hand-written contract carries // comments, which the parser does
//     not skip, and which collapsing lines would run into the code after
//     them, so they are dropped first;
//   - moc names the service's type ("type Personal = service {...}; service :
//     (init) -> Personal"), a service reference type the parser cannot
//     convert (it panics), so the methods are inlined into the service.
func normalize(did string) (string, error) {
	flat := collapseSpace(stripComments(did))
	return inlineServiceType(flat)
}

// stripComments removes every "//" comment outside double quotes, up to
// (not including) the end of its line.
func stripComments(s string) string {
	var b strings.Builder
	inQuote, inComment := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case inComment:
			if c == '\n' {
				inComment = false
				b.WriteByte(c)
			}
		case inQuote:
			b.WriteByte(c)
			inQuote = c != '"'
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			inComment = true
		default:
			b.WriteByte(c)
			inQuote = c == '"'
		}
	}
	return b.String()
}

// collapseSpace folds white space runs outside double quotes into one space.
func collapseSpace(s string) string {
	var b strings.Builder
	inQuote, space := false, false
	for _, r := range s {
		switch {
		case inQuote:
			b.WriteRune(r)
			inQuote = r != '"'
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			space = true
		default:
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
			inQuote = r == '"'
		}
	}
	return b.String()
}

var serviceTypeDef = regexp.MustCompile(`type ([A-Za-z_][A-Za-z0-9_]*) = service \{`)

// inlineServiceType replaces `type T = service {...};` and the final
// `service : (...) -> T` by `service : (...) -> {...}`. T must be used by
// nothing else: a method taking or returning a service reference is a type
// the generator cannot express, and that is an error here.
func inlineServiceType(s string) (string, error) {
	loc := serviceTypeDef.FindStringSubmatchIndex(s)
	if loc == nil {
		return s, nil
	}
	name := s[loc[2]:loc[3]]
	open := loc[1] - 1
	end, err := matchBrace(s, open)
	if err != nil {
		return "", err
	}
	body := s[open : end+1]
	rest := s[:loc[0]] + strings.TrimLeft(strings.TrimPrefix(s[end+1:], ";"), " ")
	ref := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`)
	uses := ref.FindAllStringIndex(rest, -1)
	if len(uses) != 1 {
		return "", fmt.Errorf("service type %s is used %d times; only its use as the actor's type can be inlined (agent-go's gen has no service reference types)", name, len(uses))
	}
	at := uses[0][0]
	if !strings.HasSuffix(strings.TrimSpace(rest[:at]), "->") && !strings.HasSuffix(strings.TrimSpace(rest[:at]), ":") {
		return "", fmt.Errorf("service type %s is used other than as the actor's type", name)
	}
	return rest[:at] + body + rest[uses[0][1]:], nil
}

// matchBrace finds the '}' closing the '{' at open, skipping quoted names.
func matchBrace(s string, open int) (int, error) {
	depth, inQuote := 0, false
	for i := open; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote:
			inQuote = c != '"'
		case c == '"':
			inQuote = true
		case c == '{':
			depth++
		case c == '}':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("unbalanced braces in the service type at offset %d", open)
}
