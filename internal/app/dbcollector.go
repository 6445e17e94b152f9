package app

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/amparo-ec/amparo/internal/platform/db"
)

// dbCollector exposes the connection pools' statistics to Prometheus.
type dbCollector struct {
	d                          *db.DB
	open, inUse, idle, waitCnt *prometheus.Desc
}

func newDBCollector(d *db.DB) *dbCollector {
	l := []string{"pool"}
	return &dbCollector{d: d,
		open:    prometheus.NewDesc("amparo_db_open_connections", "Open database connections.", l, nil),
		inUse:   prometheus.NewDesc("amparo_db_in_use_connections", "Database connections in use.", l, nil),
		idle:    prometheus.NewDesc("amparo_db_idle_connections", "Idle database connections.", l, nil),
		waitCnt: prometheus.NewDesc("amparo_db_wait_count_total", "Waits for a database connection.", l, nil),
	}
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.open
	ch <- c.inUse
	ch <- c.idle
	ch <- c.waitCnt
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	w, r := c.d.Stats()
	emit := func(pool string, open, inUse, idle int, wait int64) {
		ch <- prometheus.MustNewConstMetric(c.open, prometheus.GaugeValue, float64(open), pool)
		ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(inUse), pool)
		ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(idle), pool)
		ch <- prometheus.MustNewConstMetric(c.waitCnt, prometheus.CounterValue, float64(wait), pool)
	}
	emit("write", w.OpenConnections, w.InUse, w.Idle, w.WaitCount)
	if c.d.Dialect == db.SQLite {
		emit("read", r.OpenConnections, r.InUse, r.Idle, r.WaitCount)
	}
}
