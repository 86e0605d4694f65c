package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// The flag types below check their value when it is set, so that a typo in
// a flag or in its CANISTRY_* variable is a usage error (exit 2) naming it,
// not a failure later or, worse, a silent default.

// listenAddr is a host:port to listen on; the port may be 0 (any free one).
type listenAddr string

func (a *listenAddr) String() string { return string(*a) }

func (a *listenAddr) Set(s string) error {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("want host:port, e.g. 127.0.0.1:8080: %w", err)
	}
	if _, err := net.LookupPort("tcp", port); err != nil {
		return fmt.Errorf("port %q: %w", port, err)
	}
	*a = listenAddr(s)
	return nil
}

// httpURL is the http or https URL of a replica or IC boundary node.
type httpURL string

func (u *httpURL) String() string { return string(*u) }

func (u *httpURL) Set(s string) error {
	if s == "" { // unset: the command decides whether it is required
		*u = ""
		return nil
	}
	p, err := url.Parse(s)
	if err != nil {
		return err
	}
	if (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
		return errors.New("want an http:// or https:// URL with a host, e.g. http://127.0.0.1:4943")
	}
	*u = httpURL(s)
	return nil
}

// rootKeyMode says whether to trust the replica's own root key.
type rootKeyMode string

func (m *rootKeyMode) String() string { return string(*m) }

func (m *rootKeyMode) Set(s string) error {
	switch s {
	case "true", "false", "auto":
		*m = rootKeyMode(s)
		return nil
	}
	return errors.New("want true, false or auto")
}

// positiveDuration is a time.Duration above zero: zero or less would mean
// "the default" to the gateway, which is not what the user typed.
type positiveDuration time.Duration

func (d *positiveDuration) String() string { return time.Duration(*d).String() }

func (d *positiveDuration) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		return err
	}
	if v <= 0 {
		return errors.New("want a duration above zero, e.g. 5s")
	}
	*d = positiveDuration(v)
	return nil
}

// adapterList is a comma-separated list of built-in adapter names; empty
// is none.
type adapterList []string

func (l *adapterList) String() string { return strings.Join(*l, ",") }

func (l *adapterList) Set(s string) error {
	var names []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if builtinAdapters[p] == nil {
			return fmt.Errorf("no built-in adapter %q (have %s)", p, strings.Join(builtinAdapterNames(), ", "))
		}
		names = append(names, p)
	}
	*l = names
	return nil
}
