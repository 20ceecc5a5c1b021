#pragma once
// Batches of network inputs from a dataset and a pipeline, decoded and augmented on worker
// threads ahead of use.
//
// Determinism. An epoch's order is a permutation drawn from a generator seeded by (seed, epoch),
// and each sample's augmentation generator is seeded by (seed, epoch, dataset index); batches are
// delivered in order whatever thread finished them first. The output is therefore a function of
// (dataset, pipeline, options, epoch) alone, identical for any number of workers.
//
// Threads. workers == 0 builds each batch on the calling thread inside next(). Otherwise
// `workers` threads each build whole batches, at most workers × prefetch_batches of them ahead of
// the consumer. Starting a new epoch abandons the old one: pending batches are dropped and
// batches being built stop at their next image. The destructor stops and joins the threads.
// An exception thrown while building a batch (an unreadable image, a failing image op) is
// rethrown by the next() call that would have returned that batch; the following call goes on
// with the next batch.
#include <advbn/data/dataset.h>
#include <advbn/data/pipeline.h>

#include <torch/types.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace advbn::data {

struct LoaderOptions {
  size_t batch_size = 32;
  bool shuffle = true;
  bool drop_last = false;  // drop the final, smaller batch
  int workers = 0;
  int prefetch_batches = 2;  // per worker
  uint64_t seed = 0;
  // Data parallelism: this loader delivers only positions shard_index, shard_index + shard_count,
  // … of each epoch's order (which every shard draws alike), so the shards' batches of one step
  // together are the single-process batch of shard_count × batch_size. With drop_last every shard
  // gets the same number of images (the remainder is dropped); without, all are covered.
  int shard_index = 0;
  int shard_count = 1;
};

struct Batch {
  torch::Tensor images;  // N × 3 × H × W, float32, normalised
  torch::Tensor labels;  // N, int64; N × H × W train ids (255: ignored) for segmentation samples
  std::vector<size_t> indices;  // dataset index of every row
};

// The order in which an epoch visits the dataset: 0..size-1, or a permutation fixed by
// (seed, epoch) when shuffling.
std::vector<size_t> epoch_order(size_t size, bool shuffle, uint64_t seed, int64_t epoch);

// The positions of `order` that shard `index` of `count` visits (see LoaderOptions).
std::vector<size_t> shard_of(const std::vector<size_t>& order, int index, int count, bool equal_shards);

class Loader {
 public:
  // Throws advbn::Error for an empty dataset, batch_size == 0, workers < 0, prefetch_batches < 1,
  // an invalid shard, or drop_last with fewer images than one batch.
  Loader(DatasetPtr dataset, Pipeline pipeline, LoaderOptions options);
  ~Loader();
  Loader(const Loader&) = delete;
  Loader& operator=(const Loader&) = delete;

  // Begins (or restarts) an epoch; any unfinished epoch is abandoned.
  void start_epoch(int64_t epoch);
  // The epoch's next batch, or std::nullopt after its last. Throws advbn::Error when called
  // before start_epoch(), and rethrows a failure from building the batch.
  std::optional<Batch> next();
  size_t batches_per_epoch() const { return batches_per_epoch_; }
  // Images this loader's shard visits per epoch (before drop_last drops a partial batch).
  size_t shard_size() const;
  const LoaderOptions& options() const { return options_; }
  const DatasetPtr& dataset() const { return dataset_; }

 private:
  struct Outcome {
    std::optional<Batch> batch;
    std::exception_ptr error;
  };

  std::vector<size_t> batch_indices(size_t batch) const;
  // std::nullopt when `cancelled` turned true before the batch was complete.
  std::optional<Batch> build_batch(const std::vector<size_t>& indices, int64_t epoch,
                                   const std::function<bool()>& cancelled) const;
  void worker_loop();
  // A batch-sized image tensor: a recycled one no batch uses any more, else a new one. Batches
  // of 224 px images are larger than what malloc serves from its heap, so a fresh tensor per
  // batch costs a page fault per 4 KiB written (a quarter of the loader's time on JPEG folders).
  torch::Tensor image_buffer(int64_t count, int rows, int cols) const;

  DatasetPtr dataset_;
  Pipeline pipeline_;
  LoaderOptions options_;
  size_t batches_per_epoch_ = 0;

  std::mutex mutex_;
  std::condition_variable work_available_;
  std::condition_variable batch_ready_;
  bool epoch_started_ = false;
  int64_t epoch_ = 0;
  std::vector<size_t> order_;
  size_t next_to_schedule_ = 0;
  size_t next_to_deliver_ = 0;
  std::map<size_t, Outcome> ready_;
  // Read without the lock by batches in progress, to notice an abandoned epoch or shutdown.
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;

  mutable std::mutex buffers_mutex_;
  mutable std::vector<torch::Tensor> buffers_;
  size_t max_buffers_ = 0;
};

}  // namespace advbn::data
