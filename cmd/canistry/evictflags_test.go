package main

import (
	"io"
	"testing"
	"time"

	"github.com/canistry/canistry/replica"
)

// The eviction flags reach the replica's config; 0 means never evict.
func TestEvictFlags(t *testing.T) {
	for _, tc := range []struct {
		args    []string
		idle    time.Duration
		maxLive int
	}{
		{nil, replica.DefaultEvictIdleAfter, 0},
		{[]string{"--evict-idle-after", "5m", "--max-live-instances", "1000"}, 5 * time.Minute, 1000},
		{[]string{"--evict-idle-after", "0"}, -1, 0},
	} {
		f, err := parseReplicaFlags(tc.args, io.Discard)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		var cfg replica.Config
		f.evict.apply(&cfg)
		if cfg.EvictIdleAfter != tc.idle || cfg.MaxLiveInstances != tc.maxLive {
			t.Errorf("%v: idle %v, max live %d; want %v, %d", tc.args, cfg.EvictIdleAfter, cfg.MaxLiveInstances, tc.idle, tc.maxLive)
		}
	}
}
