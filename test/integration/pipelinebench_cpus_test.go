//go:build integration

package integration

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/otelcol-events/otelcol-events/internal/proctree"
)

// benchCPUs pins the benchmark's processes to CPUs (BENCH_E2E_CPUS), so
// that a run can give the gateway side cores of its own, as a deployment
// does, instead of having every process share every core. By default
// nothing is pinned and the scheduler shares the cores among all of them.
//
// The value is a comma list of process=cpus, cpus a comma-free list like
// 0 or 0-1 (several ranges joined by "+": 0+2-3); the processes are the
// report's (agent, gateway, kafka, clickhouse) and "load", this process:
// the load's clients, the probes and the samplers. A process not named
// keeps every CPU.
type benchCPUs map[string]unix.CPUSet

// benchCPUNames are the processes BENCH_E2E_CPUS may name: this one and
// those the report measures.
func benchCPUNames() []string {
	return append([]string{"load"}, measuredProcesses()...)
}

// parseBenchCPUs reads a BENCH_E2E_CPUS value; "" pins nothing.
func parseBenchCPUs(value string, ncpu int) (benchCPUs, error) {
	pins := benchCPUs{}
	if value == "" {
		return pins, nil
	}
	for _, item := range strings.Split(value, ",") {
		name, cpus, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok || !slices.Contains(benchCPUNames(), name) {
			return nil, fmt.Errorf("%q: want process=cpus, process one of %v", item, benchCPUNames())
		}
		if _, twice := pins[name]; twice {
			return nil, fmt.Errorf("%s is pinned twice", name)
		}
		set, err := parseCPUList(cpus, ncpu)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		pins[name] = set
	}
	return pins, nil
}

// parseCPUList reads "0", "1-3" or such ranges joined by "+", each CPU
// under ncpu.
func parseCPUList(list string, ncpu int) (unix.CPUSet, error) {
	var set unix.CPUSet
	for _, r := range strings.Split(list, "+") {
		lo, hi, isRange := strings.Cut(r, "-")
		if !isRange {
			hi = lo
		}
		first, errLo := strconv.Atoi(lo)
		last, errHi := strconv.Atoi(hi)
		switch {
		case errors.Join(errLo, errHi) != nil:
			return set, fmt.Errorf("%q is not a CPU or a range of them", r)
		case first < 0 || last < first || last >= ncpu:
			return set, fmt.Errorf("%q is not within CPUs 0-%d", r, ncpu-1)
		}
		for cpu := first; cpu <= last; cpu++ {
			set.Set(cpu)
		}
	}
	return set, nil
}

// describe is the pinning as the report states it, in a fixed order, on
// a machine of ncpu CPUs.
func (pins benchCPUs) describe(ncpu int) string {
	var parts []string
	for _, name := range benchCPUNames() {
		set, ok := pins[name]
		if !ok {
			continue
		}
		var cpus []string
		for cpu := range ncpu {
			if set.IsSet(cpu) {
				cpus = append(cpus, strconv.Itoa(cpu))
			}
		}
		parts = append(parts, name+" on "+strings.Join(cpus, " "))
	}
	return strings.Join(parts, ", ")
}

// apply pins each named process, by pid, to its CPUs, and gives the
// others every CPU: they were started by this process, and would
// otherwise keep the CPUs "load" pinned it to. pids maps the report's
// process names to their root pids.
func (pins benchCPUs) apply(t testing.TB, pids map[string]int) {
	t.Helper()
	if len(pins) == 0 {
		return
	}
	if set, ok := pins["load"]; ok {
		// This process alone: the pipeline's processes are its children.
		require.NoError(t, pinProcess(os.Getpid(), set, false), "BENCH_E2E_CPUS: pinning load")
	}
	for name := range pins {
		_, ok := pids[name]
		require.Truef(t, ok || name == "load", "BENCH_E2E_CPUS: no process %s in this run", name)
	}
	for name, pid := range pids {
		set, ok := pins[name]
		if !ok {
			set = allCPUs()
		}
		require.NoError(t, pinProcess(pid, set, true), "BENCH_E2E_CPUS: pinning %s", name)
	}
}

// unpin gives the processes that outlive a run (this one and the shared
// ClickHouse) every CPU back.
func (pins benchCPUs) unpin(t testing.TB, clickhousePID int) {
	t.Helper()
	if len(pins) == 0 {
		return
	}
	require.NoError(t, pinProcess(os.Getpid(), allCPUs(), false), "unpinning load")
	require.NoError(t, pinProcess(clickhousePID, allCPUs(), true), "unpinning clickhouse")
}

// allCPUs is every CPU of this machine.
func allCPUs() unix.CPUSet {
	var all unix.CPUSet
	for cpu := range runtime.NumCPU() {
		all.Set(cpu)
	}
	return all
}

// pinProcess sets the affinity of every thread of pid and, with children,
// of the processes it started (chdb-server runs ClickHouse in a child),
// which would otherwise keep the affinity they were started with. A thread
// inherits its creator's affinity, so threads started after a pass are
// pinned already, except those started by a thread the pass had not
// reached yet: passes repeat until one finds no thread it had not seen.
func pinProcess(pid int, set unix.CPUSet, children bool) error {
	pinned := map[int]bool{}
	for range 10 {
		pids := []int{pid}
		if children {
			var err error
			if pids, err = proctree.PIDs(pid); err != nil {
				return err
			}
		}
		fresh := 0
		for _, p := range pids {
			n, err := pinThreads(p, set, pinned)
			if err != nil && (p == pid || !errors.Is(err, os.ErrNotExist)) { // a child may have exited
				return err
			}
			fresh += n
		}
		if fresh == 0 {
			return nil
		}
	}
	return fmt.Errorf("pid %d keeps starting threads", pid)
}

// pinThreads pins the threads of pid that are not in pinned, and returns
// how many it pinned.
func pinThreads(pid int, set unix.CPUSet, pinned map[int]bool) (int, error) {
	entries, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil {
		return 0, err
	}
	fresh := 0
	for _, e := range entries {
		tid, err := strconv.Atoi(e.Name())
		if err != nil || pinned[tid] {
			continue
		}
		// A thread that ended since the listing is no longer to pin.
		if err := unix.SchedSetaffinity(tid, &set); err != nil && !errors.Is(err, unix.ESRCH) {
			return fresh, fmt.Errorf("thread %d of pid %d: %w", tid, pid, err)
		}
		pinned[tid] = true
		fresh++
	}
	return fresh, nil
}

func TestParseBenchCPUs(t *testing.T) {
	pins, err := parseBenchCPUs("load=0, agent=0,gateway=1,clickhouse=1-3,kafka=0+2", 4)
	require.NoError(t, err)
	require.Equal(t, "load on 0, agent on 0, gateway on 1, kafka on 0 2, clickhouse on 1 2 3", pins.describe(4))
	empty, err := parseBenchCPUs("", 2)
	require.NoError(t, err)
	require.Empty(t, empty)
	for value, problem := range map[string]string{
		"agent":            "want process=cpus",
		"jaeger=0":         "want process=cpus",
		"agent=0,agent=1":  "pinned twice",
		"agent=2":          "not within CPUs 0-1",
		"agent=1-0":        "not within CPUs 0-1",
		"agent=x":          "not a CPU",
		"agent=":           "not a CPU",
		"gateway=0+-1":     "not a CPU",
		"clickhouse=-1":    "not a CPU",
		"load=0,gateway=9": "not within",
	} {
		_, err := parseBenchCPUs(value, 2)
		require.ErrorContains(t, err, problem, value)
	}
}

// TestPinProcess pins a running process and its child and reads their
// affinity back.
func TestPinProcess(t *testing.T) {
	// A shell that waits for its child, as chdb-server waits for its engine.
	cmd := exec.Command("sh", "-c", "sleep 60 & echo $!; wait")
	out, err := cmd.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var line [32]byte
	n, err := out.Read(line[:])
	require.NoError(t, err)
	child, err := strconv.Atoi(strings.TrimSpace(string(line[:n])))
	require.NoError(t, err)
	affinity := func(pid int) unix.CPUSet {
		var got unix.CPUSet
		require.NoError(t, unix.SchedGetaffinity(pid, &got))
		return got
	}
	before := affinity(child)
	var one unix.CPUSet
	one.Set(0)
	require.NoError(t, pinProcess(cmd.Process.Pid, one, false))
	require.Equal(t, one, affinity(cmd.Process.Pid))
	require.Equal(t, before, affinity(child), "without children the child keeps its CPUs")
	require.NoError(t, pinProcess(cmd.Process.Pid, one, true))
	require.Equal(t, one, affinity(child), "with children the child is pinned too")
	require.ErrorContains(t, pinProcess(-1, one, false), "/proc/-1/task")
	require.ErrorContains(t, pinProcess(-1, one, true), "pid -1 is not running")
}
