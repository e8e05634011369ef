# One rank of the allreduce peer: torch.distributed.all_reduce (gloo backend)
# of `bytes` Float32 bytes, timed over `iters` after warm-up; JSON on rank 0.
import json, sys, time
import torch
import torch.distributed as dist

rank, size, init, nbytes, iters = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
torch.set_num_threads(1)
dist.init_process_group('gloo', init_method=init, rank=rank, world_size=size)
data = torch.full((nbytes // 4,), float(rank + 1), dtype=torch.float32)
for _ in range(3):
    dist.all_reduce(data)
dist.barrier()
t0 = time.perf_counter()
for _ in range(iters):
    dist.all_reduce(data)
seconds = time.perf_counter() - t0
if rank == 0:
    print(json.dumps({'bytes': nbytes, 'iters': iters, 'seconds': seconds}), flush=True)
dist.destroy_process_group()
