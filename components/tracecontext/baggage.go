package tracecontext // import "github.com/otelcol-events/otelcol-events/components/tracecontext"

import (
	"net/url"
	"slices"
	"strings"

	"go.opentelemetry.io/otel/baggage"
)

// W3C Baggage's limits on one baggage header, as otel-go's baggage.Parse
// applies them (it does not export them).
const (
	maxBaggageMembers = 64
	maxBaggageBytes   = 8192
)

// ExtractBaggage reads W3C baggage and, with FormatJaeger listed, Jaeger's
// uberctx-<key> headers, into one baggage. Invalid members are dropped and
// their header named in invalid; the valid ones are kept. So are members
// past what one baggage header may carry: the baggage is written on every
// Kafka record, and a reader there refuses all of it when it is too large.
func ExtractBaggage(carrier Carrier, formats []Format) (baggage.Baggage, []string) {
	var bag boundedBaggage
	var invalid []string
	for _, f := range formats {
		switch f {
		case FormatW3C:
			values := carrier.Values(HeaderBaggage)
			if len(values) == 0 {
				continue
			}
			// Parse keeps the members within the limits and reports the rest.
			parsed, err := baggage.Parse(strings.Join(values, ","))
			bad := err != nil
			for _, m := range parsed.Members() {
				if !bag.set(m) {
					bad = true
				}
			}
			if bad {
				invalid = append(invalid, HeaderBaggage)
			}
		case FormatJaeger:
			if !readJaegerBaggage(carrier, &bag) {
				invalid = append(invalid, HeaderUberBaggage+"*")
			}
		}
	}
	return bag.bag, invalid
}

// readJaegerBaggage adds the uberctx-<key> headers to bag and reports
// whether all of them were taken. Jaeger clients URL-encode the values.
func readJaegerBaggage(carrier Carrier, bag *boundedBaggage) bool {
	var keys []string
	for _, k := range carrier.Keys() {
		if len(k) >= len(HeaderUberBaggage) && strings.EqualFold(k[:len(HeaderUberBaggage)], HeaderUberBaggage) {
			keys = append(keys, k)
		}
	}
	// Sorted, so that which members fit does not change from one request
	// to the next (the carrier's map has no order).
	slices.Sort(keys)
	all := true
	for _, k := range keys {
		raw := carrier.Get(k)
		value, err := url.QueryUnescape(raw)
		if err != nil {
			value = raw
		}
		m, err := baggage.NewMemberRaw(strings.ToLower(k[len(HeaderUberBaggage):]), value)
		if err != nil || !bag.set(m) {
			all = false
		}
	}
	return all
}

// boundedBaggage is a baggage that stays within one baggage header's
// limits as members are set. Members set first are kept; one that does
// not fit is refused.
type boundedBaggage struct {
	bag baggage.Baggage
	// size is len(bag.String()): the members' encodings and the commas
	// between them, kept as members are set instead of encoding the whole
	// baggage again for each (a request can carry thousands of headers).
	size int
}

// set sets m, replacing a member of the same key, and reports whether it
// fit.
func (b *boundedBaggage) set(m baggage.Member) bool {
	size := b.size + len(m.String())
	switch old := b.bag.Member(m.Key()); {
	case old.Key() != "":
		size -= len(old.String())
	case b.bag.Len() >= maxBaggageMembers:
		return false
	case b.bag.Len() > 0:
		size++ // the comma before it
	}
	if size > maxBaggageBytes {
		return false
	}
	next, err := b.bag.SetMember(m)
	if err != nil {
		return false
	}
	b.bag, b.size = next, size
	return true
}

// SetBaggageMember is bag with m set, as baggage.Baggage.SetMember, unless
// the result would not fit in one baggage header; then it is bag unchanged
// and false.
func SetBaggageMember(bag baggage.Baggage, m baggage.Member) (baggage.Baggage, bool) {
	b := boundedBaggage{bag: bag, size: len(bag.String())}
	ok := b.set(m)
	return b.bag, ok
}
