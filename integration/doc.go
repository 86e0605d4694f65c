// Package integration holds Canistry's end-to-end tests: real processes
// (the canistry binary, node with @dfinity/agent, later Docker) talking over
// real sockets on 127.0.0.1.
package integration
