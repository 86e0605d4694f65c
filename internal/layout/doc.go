// Package layout holds the test that keeps every import arrow of the module
// pointing down its layout (see the README's Layout section).
package layout
