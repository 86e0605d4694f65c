package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/canistry/canistry/canisters/registry"
)

// fakeFleet answers reads from stats or err and counts them.
type fakeFleet struct {
	stats registry.FleetStats
	err   error
	reads int
}

func (f *fakeFleet) read(context.Context) (registry.FleetStats, error) {
	f.reads++
	return f.stats, f.err
}

func fleetOf(n uint64) registry.FleetStats {
	return registry.FleetStats{
		Canisters: []registry.FleetCount{{App: "personal", Version: "1.0.0", State: registry.Installed, Count: n}},
		Upgrades:  registry.UpgradeCounts{Done: 2, RolledBack: 1},
		Releases:  map[registry.ReleaseState]uint64{registry.Released: 1, registry.Draft: 0},
		LowCycles: n - 1,
	}
}

// gathered is every series of reg as name{labels} → value.
func gathered(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := f.GetName()
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			out[key] = metricValue(m)
		}
	}
	return out
}

func metricValue(m *dto.Metric) float64 {
	if m.Counter != nil {
		return m.Counter.GetValue()
	}
	return m.Gauge.GetValue()
}

// TestFleetCollectorCachesAndForgets: reads are cached for the TTL; a
// failed read exports no fleet series (nothing stale), counts one error
// and is logged once however many scrapes fall in its period.
func TestFleetCollectorCachesAndForgets(t *testing.T) {
	fake := &fakeFleet{stats: fleetOf(3)}
	var logs bytes.Buffer
	c := newFleetCollector(fake.read, slog.New(slog.NewTextHandler(&logs, nil)), 10*time.Second)
	now := time.Unix(1000, 0)
	c.now = func() time.Time { return now }
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)

	want := func(what string, canisters int, errors int) {
		t.Helper()
		got := gathered(t, reg)
		wantSeries := map[string]float64{"canistry_fleet_scrape_errors_total": float64(errors)}
		if canisters >= 0 {
			wantSeries[`canistry_fleet_canisters{app="personal",state="installed",version="1.0.0"}`] = float64(canisters)
			for _, o := range []string{"done", "rolled_back", "failed", "in_progress"} {
				wantSeries[`canistry_fleet_upgrades{outcome="`+o+`"}`] = map[string]float64{"done": 2, "rolled_back": 1}[o]
			}
			wantSeries[`canistry_fleet_releases{state="released"}`] = 1
			wantSeries[`canistry_fleet_releases{state="draft"}`] = 0
			wantSeries[`canistry_fleet_low_cycles`] = float64(canisters - 1)
		}
		if !maps.Equal(got, wantSeries) {
			t.Fatalf("%s: series %v, want %v", what, got, wantSeries)
		}
	}
	want("first scrape", 3, 0)
	fake.stats = fleetOf(4)
	now = now.Add(9 * time.Second)
	want("within the TTL: the cached answer", 3, 0)
	now = now.Add(time.Second)
	want("after the TTL: read again", 4, 0)

	fake.err = errors.New("registry unreachable")
	now = now.Add(10 * time.Second)
	want("a failed read", -1, 1)
	now = now.Add(5 * time.Second)
	want("within the TTL of the failure: no retry, still nothing", -1, 1)
	if fake.reads != 3 || strings.Count(logs.String(), "registry unreachable") != 1 {
		t.Errorf("%d reads, logs %q; want 3 reads and the failure logged once", fake.reads, logs.String())
	}
	now = now.Add(5 * time.Second)
	want("the next period fails again", -1, 2)
	fake.err = nil
	now = now.Add(10 * time.Second)
	want("recovered", 4, 2)
}

// TestFoldFleet: past the cap the smallest groups are summed per state.
func TestFoldFleet(t *testing.T) {
	var groups []registry.FleetCount
	var total uint64
	for i := range 300 {
		state := registry.Installed
		if i%3 == 0 {
			state = registry.Uninstalled
		}
		n := uint64(i + 1)
		groups = append(groups, registry.FleetCount{App: "app", Version: fmt.Sprintf("1.0.%d", i), State: state, Count: n})
		total += n
	}
	out := foldFleet(groups, 200)
	if len(out) != 202 {
		t.Fatalf("%d series, want 200 + 2 folded states", len(out))
	}
	var sum uint64
	for _, g := range out[:200] {
		if g.Count <= 100 {
			t.Fatalf("kept %+v, one of the 100 smallest", g)
		}
	}
	for _, g := range out {
		sum += g.Count
	}
	last := out[201]
	if sum != total || out[200].App != fleetOther || last.Version != fleetOther || last.State != registry.Uninstalled {
		t.Errorf("sum %d want %d; folded %+v %+v", sum, total, out[200], last)
	}
	if got := foldFleet(groups[:5], 200); len(got) != 5 {
		t.Errorf("under the cap: %d series, want 5", len(got))
	}
}
