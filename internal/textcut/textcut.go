// Package textcut shortens messages that may quote what a client or a
// canister sent: a refusal needs a few hundred bytes to say what went
// wrong, never the kilobytes of input it quotes.
package textcut

import (
	"fmt"
	"unicode/utf8"
)

// Cut returns msg if it is at most max bytes long, and otherwise its first
// max bytes (not splitting a UTF-8 sequence) and how much was left out.
func Cut(msg string, max int) string {
	if len(msg) <= max {
		return msg
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Sprintf("%s… (%d bytes more)", msg[:cut], len(msg)-cut)
}
