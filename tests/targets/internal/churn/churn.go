// Package churn runs a test client's calls from several goroutines at
// once, each call on a connection of its own (the caller's do dials and
// closes it), so the traced programs free connection objects and Go reuses
// their addresses all the time.
package churn

import (
	"sync"
	"sync/atomic"
)

// Run calls do(i) for i = 1..n from workers goroutines and returns how
// many calls failed; each failure is handed to failed as well.
func Run(n, workers int, do func(i int64) error, failed func(i int64, err error)) int64 {
	var next, errs int64
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := atomic.AddInt64(&next, 1)
				if i > int64(n) {
					return
				}
				if err := do(i); err != nil {
					atomic.AddInt64(&errs, 1)
					failed(i, err)
				}
			}
		}()
	}
	wg.Wait()
	return errs
}
