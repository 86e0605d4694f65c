// Package personal holds what every version of the personal canister
// protocol shares and so every built-in personal adapter needs: how the
// canister refuses callers and requests, and the answer of versions
// without messaging.
package personal
