package stack

import (
	"bytes"
	"io"
	"sync"
)

// PrefixWriter writes each complete line to Out with Prefix in front, so the
// interleaved output of several children stays readable. Writers sharing one
// Out must share one Mutex.
type PrefixWriter struct {
	Prefix string
	Out    io.Writer
	Mu     *sync.Mutex

	partial []byte
}

func (w *PrefixWriter) Write(p []byte) (int, error) {
	w.Mu.Lock()
	defer w.Mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := append(w.partial, p[:i+1]...)
		w.partial = w.partial[:0]
		if _, err := io.WriteString(w.Out, w.Prefix); err != nil {
			return 0, err
		}
		if _, err := w.Out.Write(line); err != nil {
			return 0, err
		}
		p = p[i+1:]
	}
	return n, nil
}
