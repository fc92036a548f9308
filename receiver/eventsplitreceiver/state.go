package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

// decodeState is the per-request working memory; requests reuse it through
// a pool. Everything a record keeps lives in the body or the arena, never
// here.
type decodeState struct {
	s        scanner
	views    []eventView
	seenIDs  map[string]struct{}
	attrKeys []span
	scratch  []byte
	arena    arena
	meta     envelopeMeta
	valid    int
}

func newDecodeState() *decodeState {
	return &decodeState{seenIDs: make(map[string]struct{}, 128), arena: arena{chunk: 4096}}
}

// reset drops references to the last request so its memory can be freed.
func (st *decodeState) reset() {
	clear(st.views)
	st.views = st.views[:0]
	clear(st.seenIDs)
	st.attrKeys = st.attrKeys[:0]
	st.arena = arena{chunk: 4096}
	st.meta = envelopeMeta{extra: st.meta.extra[:0]}
	clear(st.meta.extra[:cap(st.meta.extra)])
	st.s = scanner{}
	st.valid = 0
}

// decoded returns a string span's decoded bytes, valid until the next use
// of the scratch buffer.
func (st *decodeState) decoded(sp span) []byte {
	st.scratch = st.scratch[:0]
	return st.appendDecoded(sp)
}

// appendDecoded returns a string span's decoded bytes: the body itself when
// there are no escapes, else decoded onto the end of the scratch buffer.
func (st *decodeState) appendDecoded(sp span) []byte {
	if !sp.escaped {
		return st.s.buf[sp.start:sp.end]
	}
	mark := len(st.scratch)
	st.scratch = appendUnescaped(st.scratch, st.s.buf[sp.start:sp.end])
	return st.scratch[mark:]
}

// stringOf returns a string span's decoded text: a view of the body when it
// has no escapes, else a copy in the arena.
func (st *decodeState) stringOf(sp span) string {
	if !sp.escaped {
		return st.s.text(sp)
	}
	dst := st.arena.reserve(sp.end - sp.start)
	return st.arena.commit(appendUnescaped(dst, st.s.buf[sp.start:sp.end]))
}
