// Package proctree measures a process and everything it started (a server
// and its workers) from /proc: CPU time and resident memory, sampled.
package proctree // import "github.com/otelcol-events/otelcol-events/internal/proctree"

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// clockTicks is the unit of /proc/<pid>/stat's CPU times (USER_HZ, 100 on
// every Linux platform Go runs on).
const clockTicks = 100

// Tree samples a process tree on this machine from /proc: a root process
// and everything it started. CPU time is the tree's user+system time;
// memory is the sum of the resident sets, polled, so the peak is the
// highest sum seen.
type Tree struct {
	name string
	root func() (int, error) // asked at every sample: a service may restart
	proc string              // /proc, replaced in tests

	mu             sync.Mutex
	firstCPU       map[int]float64 // by pid: a process that exits takes its time along
	lastCPU        map[int]float64
	peakRSS        int64
	samples, fails int
	lastErr        error
}

// New samples the tree under the process root names; name is for errors.
func New(name string, root func() (int, error)) *Tree {
	return &Tree{name: name, root: root, proc: "/proc"}
}

// PID is a root that is always pid.
func PID(pid int) func() (int, error) {
	return func() (int, error) { return pid, nil }
}

// PIDFile is a root read from a pid file at every sample (the local stack
// rewrites one when it restarts a service).
func PIDFile(path string) func() (int, error) {
	return func() (int, error) {
		data, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil {
			return 0, fmt.Errorf("%s holds no pid", path)
		}
		return pid, nil
	}
}

// Name is the tree's name.
func (p *Tree) Name() string { return p.name }

// SampleAll samples several trees from one walk of /proc: trees measured
// together are read at the same instant, and /proc is read once, not once
// per tree. It returns the trees' errors joined (each is also counted in
// its tree's figures).
func SampleAll(trees []*Tree) error {
	if len(trees) == 0 {
		return nil
	}
	stats, err := allStats(trees[0].proc)
	errs := make([]error, 0, len(trees))
	for _, p := range trees {
		errs = append(errs, p.record(stats, err))
	}
	return errors.Join(errs...)
}

// record takes this tree's sample out of a read of every process.
func (p *Tree) record(stats map[int]procStat, statsErr error) error {
	cpu, rss, err := p.tree(stats, statsErr)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		p.fails++
		p.lastErr = err
		return err
	}
	if p.firstCPU == nil {
		p.firstCPU = cpu
	}
	p.lastCPU = cpu
	p.peakRSS = max(p.peakRSS, rss)
	p.samples++
	return nil
}

// tree returns the CPU seconds by pid and the summed resident bytes of the
// tree under the root.
func (p *Tree) tree(stats map[int]procStat, statsErr error) (map[int]float64, int64, error) {
	root, err := p.root()
	if err != nil {
		return nil, 0, fmt.Errorf("process %s: %w", p.name, err)
	}
	if statsErr != nil {
		return nil, 0, statsErr
	}
	if _, ok := stats[root]; !ok {
		return nil, 0, fmt.Errorf("process %s: pid %d is not running", p.name, root)
	}
	cpu := map[int]float64{}
	var rss int64
	for _, pid := range treePIDs(stats, root) {
		s := stats[pid]
		cpu[pid] = s.cpuSeconds
		rss += s.rssBytes
	}
	return cpu, rss, nil
}

// PIDs returns root and every process it started, theirs included, root
// first, as read from /proc now.
func PIDs(root int) ([]int, error) {
	stats, err := allStats("/proc")
	if err != nil {
		return nil, err
	}
	if _, ok := stats[root]; !ok {
		return nil, fmt.Errorf("pid %d is not running", root)
	}
	return treePIDs(stats, root), nil
}

// treePIDs is root and its descendants among stats, parents before their
// children.
func treePIDs(stats map[int]procStat, root int) []int {
	children := map[int][]int{}
	for pid, s := range stats {
		children[s.ppid] = append(children[s.ppid], pid)
	}
	pids := []int{root}
	for i := 0; i < len(pids); i++ {
		pids = append(pids, children[pids[i]]...)
	}
	return pids
}

type procStat struct {
	ppid       int
	cpuSeconds float64
	rssBytes   int64
}

// allStats reads every process's stat line (pid, ppid, times, rss).
func allStats(proc string) (map[int]procStat, error) {
	entries, err := os.ReadDir(proc)
	if err != nil {
		return nil, err
	}
	page := int64(os.Getpagesize())
	out := map[int]procStat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		data, err := os.ReadFile(filepath.Join(proc, e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		s, ok := parseStat(data, page)
		if ok {
			out[pid] = s
		}
	}
	return out, nil
}

// parseStat reads /proc/<pid>/stat: the command is in parentheses and may
// hold spaces, so fields are counted after its closing one. Fields (1-based,
// proc(5)): 4 ppid, 14 utime, 15 stime, 24 rss (pages).
func parseStat(data []byte, pageSize int64) (procStat, bool) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state).
	if len(f) < 22 {
		return procStat{}, false
	}
	ppid, err1 := strconv.Atoi(f[1])
	utime, err2 := strconv.ParseFloat(f[11], 64)
	stime, err3 := strconv.ParseFloat(f[12], 64)
	rss, err4 := strconv.ParseInt(f[21], 10, 64)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return procStat{}, false
	}
	return procStat{ppid: ppid, cpuSeconds: (utime + stime) / clockTicks, rssBytes: rss * pageSize}, true
}

// Figures is what the tree cost between the first and the last sample.
type Figures struct {
	CPUSeconds        *float64
	PeakRSSBytes      *float64
	Samples, Failures int
	Problems          []string
}

// Figures sums up the run: CPU is counted per pid between the first and
// the last sample (a process started meanwhile counts from zero).
func (p *Tree) Figures() Figures {
	p.mu.Lock()
	defer p.mu.Unlock()
	f := Figures{Samples: p.samples, Failures: p.fails}
	if p.lastErr != nil {
		f.Problems = append(f.Problems, p.lastErr.Error())
	}
	if p.samples == 0 {
		return f
	}
	var cpu float64
	for pid, last := range p.lastCPU {
		cpu += last - p.firstCPU[pid]
	}
	f.CPUSeconds = ptr(cpu)
	f.PeakRSSBytes = ptr(float64(p.peakRSS))
	return f
}

func ptr(v float64) *float64 { return &v }
