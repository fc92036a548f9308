package proctree

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sampler reads the real /proc: a shell and the sleeps it started are
// one tree, whose memory is the sum of all.
func TestSamplesTheTree(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30; wait")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	pidFile := filepath.Join(t.TempDir(), "p.pid")
	require.NoError(t, os.WriteFile(pidFile, []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o600))
	for name, root := range map[string]func() (int, error){"pid file": PIDFile(pidFile), "pid": PID(cmd.Process.Pid)} {
		p := New("sh", root)
		require.Eventually(t, func() bool {
			stats, err := allStats(p.proc)
			cpu, _, err := p.tree(stats, err)
			return err == nil && len(cpu) >= 3 // sh and its two sleeps
		}, 10*time.Second, 10*time.Millisecond, name)
		require.NoError(t, SampleAll([]*Tree{p}))
		require.NoError(t, SampleAll([]*Tree{p}))
		f := p.Figures()
		require.NotNil(t, f.CPUSeconds, name)
		assert.GreaterOrEqual(t, *f.CPUSeconds, 0.0, name)
		assert.Greater(t, *f.PeakRSSBytes, 0.0, name)
		assert.Equal(t, 2, f.Samples, name)
	}
}

// PIDs finds a shell's children on the real /proc, and says when the root
// is gone.
func TestPIDs(t *testing.T) {
	cmd := exec.Command("sh", "-c", "sleep 30 & sleep 30; wait")
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	var pids []int
	require.Eventually(t, func() bool {
		var err error
		pids, err = PIDs(cmd.Process.Pid)
		return err == nil && len(pids) == 3
	}, 10*time.Second, 10*time.Millisecond, "sh and its two sleeps")
	assert.Equal(t, cmd.Process.Pid, pids[0], "the root first")
	_, err := PIDs(-1)
	assert.EqualError(t, err, "pid -1 is not running")
}

func TestErrorsSayWhat(t *testing.T) {
	p := New("gone", PIDFile(filepath.Join(t.TempDir(), "missing.pid")))
	require.ErrorContains(t, SampleAll([]*Tree{p}), "process gone")
	f := p.Figures()
	assert.Nil(t, f.CPUSeconds, "never measured: missing, not zero")
	assert.NotEmpty(t, f.Problems)

	empty := filepath.Join(t.TempDir(), "empty.pid")
	require.NoError(t, os.WriteFile(empty, nil, 0o600))
	require.ErrorContains(t, SampleAll([]*Tree{New("empty", PIDFile(empty))}), "holds no pid")

	self, err := os.ReadFile("/proc/self/stat")
	require.NoError(t, err)
	st, ok := parseStat(self, 4096)
	require.True(t, ok)
	assert.Equal(t, os.Getppid(), st.ppid, "the real stat line of this test")
	_, ok = parseStat([]byte("12 (no closing"), 4096)
	assert.False(t, ok)
}

// Trees sampled together share one walk of /proc, and a tree whose process
// is gone fails alone.
func TestSampleAll(t *testing.T) {
	self := New("self", PID(os.Getpid()))
	gone := New("gone", PIDFile(filepath.Join(t.TempDir(), "missing.pid")))
	err := SampleAll([]*Tree{self, gone})
	require.ErrorContains(t, err, "process gone")
	assert.Equal(t, 1, self.Figures().Samples)
	assert.Equal(t, 1, gone.Figures().Failures)
	assert.NoError(t, SampleAll(nil))
}
