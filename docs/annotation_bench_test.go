package docs_test

import (
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/curia/curia/docs"
	"github.com/curia/curia/internal/apptest"
	"github.com/curia/curia/internal/testdb"
	"github.com/curia/curia/internal/testpdf"
)

// BenchmarkAnnotateShared measures the live path of a shared stroke: one
// POST of one ink annotation of 40 points (a pen stroke of about half a
// second), by 50 sessions drawing at once. Run with
// CURIA_TEST_POSTGRES set to compare the backends.
func BenchmarkAnnotateShared(b *testing.B) {
	for _, be := range testdb.Backends() {
		b.Run(be.Name, func(b *testing.B) {
			s := apptest.Start(b, be)
			c := s.NewCast("b")
			r := &room{s: s, c: c, m: c.Meeting("Benchmark")}
			d := r.mustUploadB(b, testpdf.Pages(4, "bench"))
			// One client draws b.N strokes on one page: far past what one
			// delegate may keep, which is not what is measured here.
			docs.SetAnnotationLimits(s.App.Docs, docs.AnnotationLimits{PerVersion: 1 << 30, PerPage: 1 << 30, BytesPerVersion: 1 << 40})
			path := "/api/v1/documents/" + d.ID + "/annotations"
			points := make([][]float64, 40)
			for i := range points {
				points[i] = []float64{100 + float64(i)*5, 300 + float64(i%7), 0.5}
			}
			var n atomic.Int64
			b.SetParallelism(25) // 50 tablets on 2 cores
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					id := fmt.Sprintf("bench-%d", n.Add(1))
					body := map[string]any{"id": id, "page": 2, "kind": "ink", "shared": true,
						"data": map[string]any{"strokes": [][][]float64{points}}}
					if res := r.c.Delegate.Do("POST", path, body); res.Status != http.StatusCreated {
						b.Errorf("%d %s", res.Status, res.Body)
						return
					}
				}
			})
		})
	}
}
