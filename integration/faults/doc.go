// Package faults checks that store calls end within the request's
// deadline, on cancellation and within Options.OpTimeout when a server
// stops answering, resets its connections, freezes, dies or fails over;
// that they recover when it is back; and that nothing acknowledged is
// lost. Its tests only; no exported API.
//
// Two kinds of fault:
//
//   - faults_test.go puts integration/faultproxy between the client and
//     the shared Redis, PostgreSQL and MariaDB the test command starts
//     (scripts/services.sh): delay, black hole, reset.
//   - process_test.go and cluster_test.go act on real server processes
//     under an HTTP load through the core middleware: SIGSTOP/SIGCONT,
//     kill -9 and restart of Redis (appendfsync always), PostgreSQL and
//     MariaDB with their durable defaults, and the kill of a master of a
//     three-master, three-replica Redis Cluster, with and without
//     redisstore's WaitReplicas. Those servers are private instances the
//     tests start on free ports (servers_test.go), never the shared ones,
//     which other packages' tests use at the same time. These tests run on
//     Linux only; they skip without the server binaries, except under CI.
package faults
