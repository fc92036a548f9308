package eventsplitreceiver // import "github.com/otelcol-events/otelcol-events/receiver/eventsplitreceiver"

// containerStack remembers, one bit per level, whether each open container
// is an object, so skipValue needs no recursion at any depth.
type containerStack struct {
	inline [4]uint64
	more   []uint64
	n      int
}

func (c *containerStack) push(object bool) {
	word, bit := c.n/64, uint(c.n%64)
	if word >= len(c.inline)+len(c.more) {
		c.more = append(c.more, 0)
	}
	w := c.word(word)
	if object {
		*w |= 1 << bit
	} else {
		*w &^= 1 << bit
	}
	c.n++
}

func (c *containerStack) word(i int) *uint64 {
	if i < len(c.inline) {
		return &c.inline[i]
	}
	return &c.more[i-len(c.inline)]
}

func (c *containerStack) topIsObject() bool {
	i := c.n - 1
	return *c.word(i / 64)&(1<<uint(i%64)) != 0
}

func (c *containerStack) pop() { c.n-- }

// skipValue consumes one value of any kind and depth, validating its
// syntax. It returns how deeply containers nested inside it (0 for a
// scalar, 1 for [1,2], 2 for [[1]], ...), so the caller can apply a depth
// limit to just this value.
//
// It is one loop on purpose: it skips every event's payload, and split
// into a function per step (open a container, skip a scalar, close
// containers) it took 8 % longer per payload (none of the steps inlines).
func (s *scanner) skipValue() (int, error) {
	var stack containerStack
	deepest := 0
	for {
		// A value is expected here.
		switch c := s.peek(); c {
		case '{', '[':
			s.pos++
			stack.push(c == '{')
			deepest = max(deepest, stack.n)
			closing := byte('}')
			if c == '[' {
				closing = ']'
			}
			if s.peek() == closing {
				s.pos++
				stack.pop()
				break
			}
			if c == '{' {
				if err := s.readKey(); err != nil {
					return 0, err
				}
			}
			continue
		case '"':
			if _, err := s.readString(); err != nil {
				return 0, err
			}
		case 't', 'f', 'n':
			if _, err := s.readLiteral(); err != nil {
				return 0, err
			}
		case 0:
			return 0, s.errorf("unexpected end of input, want a value")
		default:
			if _, err := s.readNumber(); err != nil {
				return 0, err
			}
		}
		// A value ended: close containers or move to the next element.
		for {
			if stack.n == 0 {
				return deepest, nil
			}
			c := s.peek()
			if c == ',' {
				s.pos++
				if stack.topIsObject() {
					if err := s.readKey(); err != nil {
						return 0, err
					}
				}
				break
			}
			if (c == '}' && stack.topIsObject()) || (c == ']' && !stack.topIsObject()) {
				s.pos++
				stack.pop()
				continue
			}
			return 0, s.errorf("want ',' or the end of the container")
		}
	}
}

// eachMember walks the object at the scanner: for every member it reads the
// key and the colon, then calls member, which must consume the value. It is
// the one place that knows an object's punctuation; every object of the
// envelope is read through it. An error of member ends the walk unchanged;
// a syntax error comes back as a *syntaxError.
func (s *scanner) eachMember(member func(key span) error) error {
	if err := s.expect('{'); err != nil {
		return err
	}
	if s.peek() == '}' {
		s.pos++
		return nil
	}
	for {
		key, err := s.readString()
		if err != nil {
			return err
		}
		if err := s.expect(':'); err != nil {
			return err
		}
		if err := member(key); err != nil {
			return err
		}
		if s.peek() == ',' {
			s.pos++
			continue
		}
		return s.expect('}')
	}
}

// eachElement walks the array at the scanner, calling element for every
// value, which it must consume.
func (s *scanner) eachElement(element func() error) error {
	if err := s.expect('['); err != nil {
		return err
	}
	if s.peek() == ']' {
		s.pos++
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		if s.peek() == ',' {
			s.pos++
			continue
		}
		return s.expect(']')
	}
}

// readKey reads an object key and the colon after it.
func (s *scanner) readKey() error {
	if _, err := s.readString(); err != nil {
		return err
	}
	return s.expect(':')
}
