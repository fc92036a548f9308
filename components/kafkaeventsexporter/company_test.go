package kafkaeventsexporter

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// testCompany is a company on a clock the test moves.
func testCompany(linger time.Duration) (*company, *time.Time) {
	clock := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	c := newCompany(linger)
	c.now = func() time.Time { return clock }
	return c, &clock
}

func TestCompanyWaitsOutTheLingerUntilItKnowsHowManyCome(t *testing.T) {
	c, clock := testCompany(10 * time.Millisecond)
	var joined [3]time.Time
	for i := range joined {
		var now bool
		now, joined[i] = c.join()
		assert.False(t, now, "request %d: nothing learned yet, it waits", i)
	}
	// The linger's timer sent the three: they came within one linger.
	*clock = clock.Add(12 * time.Millisecond)
	for i := range joined {
		c.leave(false, joined[i])
	}
	assert.Equal(t, 3, c.target)

	now1, j1 := c.join()
	now2, j2 := c.join()
	now3, j3 := c.join()
	assert.Equal(t, []bool{false, false, true}, []bool{now1, now2, now3}, "the third takes the first two along")
	*clock = clock.Add(time.Millisecond) // answered before the linger ended: nothing to learn
	c.leave(now1, j1)
	c.leave(now2, j2)
	c.leave(now3, j3)
	assert.Equal(t, 3, c.target)
	assert.Zero(t, c.waiting)
}

func TestCompanySendsALoneRequestAtOnceOnceItLearnedSo(t *testing.T) {
	c, clock := testCompany(10 * time.Millisecond)
	now, joined := c.join()
	assert.False(t, now)
	*clock = clock.Add(10 * time.Millisecond)
	c.leave(now, joined)

	now, joined = c.join()
	assert.True(t, now, "one request per linger: waiting gains nothing")
	c.leave(now, joined)
}

func TestCompanyLearnsAgain(t *testing.T) {
	c, clock := testCompany(10 * time.Millisecond)
	now, joined := c.join()
	*clock = clock.Add(10 * time.Millisecond)
	c.leave(now, joined)
	assert.Equal(t, 1, c.target)

	*clock = clock.Add(relearnEvery)
	now, joined = c.join()
	assert.False(t, now, "forgotten after relearnEvery: the load may have grown")
	c.leave(now, joined)
}

// A batch that left by the timer with fewer than the target (a client
// fewer) lowers it, so the next batches do not sit out the linger.
func TestCompanyLowersTheTargetWhenFewerCome(t *testing.T) {
	c, clock := testCompany(10 * time.Millisecond)
	c.target, c.relearnAt = 4, clock.Add(relearnEvery)
	var joined [3]time.Time
	for i := range joined {
		var now bool
		now, joined[i] = c.join()
		assert.False(t, now)
	}
	*clock = clock.Add(11 * time.Millisecond)
	for i := range joined {
		c.leave(false, joined[i])
	}
	assert.Equal(t, 3, c.target, "three came within the linger")

	now, j := c.join()
	assert.False(t, now)
	now2, j2 := c.join()
	now3, j3 := c.join()
	assert.True(t, now3, "the third goes, taking the others along")
	c.leave(now, j)
	c.leave(now2, j2)
	c.leave(now3, j3)
	assert.Zero(t, c.waiting)
}

func TestCompanyWithoutLingerSendsEverythingAtOnce(t *testing.T) {
	c, _ := testCompany(0)
	now, joined := c.join()
	assert.True(t, now)
	c.leave(now, joined)
}
