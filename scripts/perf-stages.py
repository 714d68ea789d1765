#!/usr/bin/env python3
# CPU of the daemon by stage of the data path, from a perf profile (issue #14, method in Ingestd.Bench/README.md):
#   DOTNET_PerfMapEnabled=1 DOTNET_ReadyToRun=0 DOTNET_EnableWriteXorExecute=0 ingestd ...   (JIT symbols perf can read)
#   perf record -F 1999 -g -p PID -- sleep 10
#   perf script -F comm,tid,ip,sym > prof.script && python3 scripts/perf-stages.py prof.script [--other]
# Each sample goes to the stage of the first frame, from the leaf up, that names one (a memmove is charged to its
# caller); the rules are matched against method names only, not parameter types.
import sys, re, collections
rules = [
 ("zstd (ZstdSharp)", r"\[ZstdSharp\]"),
 ("block index collection (SegmentIndexBuilder)", r"Ingestd\.Storage\.Index\."),
 ("CRC-32C", r"Crc32C"),
 ("segment write(2) / pwrite (kernel)", r"SegmentLog::Append|SegmentLog::Write|RandomAccess|pwrite|__libc_pwrite|SafeFileHandle"),
 ("writer: copy out of the ring (TakeFromRing)", r"SegmentWriter::TakeFromRing"),
 ("writer: other", r"SegmentWriter::"),
 ("ring publish (copy batch into ring)", r"EventRing::|IngestPipeline::|RequestDispatcher::Complete"),
 ("UTF-8 validation", r"Utf8::IsValid|Utf8Utility|GetIndexOfFirstNonAscii|GetPointerToFirstInvalid"),
 ("timestamp parse", r"TimestampParser"),
 ("record write into batch (RecordBatch/RecordLayout)", r"RecordBatch::|RecordLayout::|PooledBuffer::"),
 ("JSON parse (Utf8JsonReader + AstralogParser)", r"Utf8JsonReader|AstralogParser|JsonStrings"),
 ("body decode / HTTP body copy (pipe -> buffer)", r"OnBodyBytes|ContentLengthBody|ChunkedBody|BodyDecoder|ReadBody"),
 ("HTTP head parse / response", r"HttpRequestParser|OnHeadBytes|HttpHeadParser|Response::|WriteResponse|StatusLine|RequestDispatcher|Router"),
 ("socket recv (kernel + pipe)", r"__libc_recv|recvfrom|sock_recvmsg|Receive|PipeWriter|Pipe::"),
 ("socket send", r"__send|sendto|SendAll|sock_sendmsg"),
 ("epoll / socket engine", r"epoll|SocketAsyncEngine|SocketAsyncContext|SocketAsyncEventArgs"),
 ("thread pool / scheduling / yield", r"sched_yield|ThreadPool|WorkerThread|LowLevelLifoSemaphore|finish_task_switch|schedule|futex|Monitor|ManualResetEvent|SpinWait|Thread::Sleep"),
 ("GC", r"gc_heap|GCHeap|WKS::|SVR::"),
 ("JIT", r"libclrjit|jitNativeCode|CILJit"),
]
rules = [(n, re.compile(p)) for n, p in rules]
counts = collections.Counter(); total = 0; bythread = collections.Counter()
unk = collections.Counter()
stack = []; head = None
def flush():
    global total
    if head is None: return
    total += 1
    bythread[head] += 1
    for f in stack:
        f = f.split("(")[0]  # the method's name, not its parameter types
        for name, rx in rules:
            if rx.search(f):
                counts[name] += 1; return
    counts["other"] += 1
    unk[stack[0] if stack else "?"] += 1
for line in open(sys.argv[1], errors="replace"):
    if not line.strip():
        flush(); head = None; stack = []; continue
    if not line.startswith(("\t", " ")):
        head = re.sub(r"\s+\d+\s*$", "", line.strip()); head = re.sub(r"[0-9]+$", "", head); continue
    stack.append(line.strip())
flush()
print(f"{total} samples")
for n, c in counts.most_common(): print(f"{100*c/total:6.1f}%  {n}")
print("-- by thread name")
for n, c in bythread.most_common(8): print(f"{100*c/total:6.1f}%  {n}")
if "--other" in sys.argv[2:]:
    print("-- top 'other' leaves")
    for n, c in unk.most_common(25): print(f"{100*c/total:6.2f}%  {n[:160]}")
