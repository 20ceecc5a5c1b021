#include <advbn/data/loader.h>
#include <advbn/data/random.h>
#include <advbn/data/transforms.h>
#include <advbn/error.h>

#include <torch/torch.h>

#include <numeric>

namespace advbn::data {

std::vector<size_t> epoch_order(size_t size, bool shuffle, uint64_t seed, int64_t epoch) {
  if (shuffle) return random_permutation(size, mix_seeds(seed, static_cast<uint64_t>(epoch)));
  std::vector<size_t> order(size);
  std::iota(order.begin(), order.end(), size_t{0});
  return order;
}

std::vector<size_t> shard_of(const std::vector<size_t>& order, int index, int count, bool equal_shards) {
  const size_t shards = static_cast<size_t>(count);
  const size_t end = equal_shards ? order.size() / shards * shards : order.size();
  std::vector<size_t> shard;
  shard.reserve(end / shards + 1);
  for (size_t position = static_cast<size_t>(index); position < end; position += shards) {
    shard.push_back(order[position]);
  }
  return shard;
}

Loader::Loader(DatasetPtr dataset, Pipeline pipeline, LoaderOptions options)
    : dataset_(std::move(dataset)), pipeline_(std::move(pipeline)), options_(options) {
  if (!dataset_) throw Error("Loader needs a dataset");
  if (dataset_->size() == 0) throw Error("cannot load batches from empty " + dataset_->description());
  if (options_.batch_size == 0) throw Error("loader batch size must be at least 1");
  if (options_.workers < 0) {
    throw Error("loader workers must be >= 0, got " + std::to_string(options_.workers));
  }
  if (options_.prefetch_batches < 1) {
    throw Error("loader prefetch_batches must be >= 1, got " +
                std::to_string(options_.prefetch_batches));
  }
  if (options_.shard_count < 1 || options_.shard_index < 0 ||
      options_.shard_index >= options_.shard_count) {
    throw Error("loader shard " + std::to_string(options_.shard_index) + " of " +
                std::to_string(options_.shard_count) + " does not exist");
  }
  const size_t size = shard_size();
  batches_per_epoch_ = options_.drop_last ? size / options_.batch_size
                                          : (size + options_.batch_size - 1) / options_.batch_size;
  if (batches_per_epoch_ == 0) {
    throw Error(dataset_->description() + " holds fewer images than one batch of " +
                std::to_string(options_.batch_size) + ", and drop_last would drop them all");
  }
  // Batches being built, waiting, and the two the consumer may still hold.
  max_buffers_ = static_cast<size_t>(std::max(1, options_.workers) * options_.prefetch_batches) + 2;
  threads_.reserve(static_cast<size_t>(options_.workers));
  for (int i = 0; i < options_.workers; ++i) threads_.emplace_back([this] { worker_loop(); });
}

size_t Loader::shard_size() const {
  const size_t total = dataset_->size();
  const auto shards = static_cast<size_t>(options_.shard_count);
  if (options_.drop_last) return total / shards;
  return total / shards + (static_cast<size_t>(options_.shard_index) < total % shards ? 1 : 0);
}

Loader::~Loader() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  work_available_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void Loader::start_epoch(int64_t epoch) {
  auto order = epoch_order(dataset_->size(), options_.shuffle, options_.seed, epoch);
  if (options_.shard_count > 1) {
    order = shard_of(order, options_.shard_index, options_.shard_count, options_.drop_last);
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++generation_;
    epoch_started_ = true;
    epoch_ = epoch;
    order_ = std::move(order);
    next_to_schedule_ = 0;
    next_to_deliver_ = 0;
    ready_.clear();
  }
  work_available_.notify_all();
}

std::vector<size_t> Loader::batch_indices(size_t batch) const {
  const size_t begin = batch * options_.batch_size;
  const size_t end = std::min(begin + options_.batch_size, order_.size());
  return {order_.begin() + static_cast<std::ptrdiff_t>(begin),
          order_.begin() + static_cast<std::ptrdiff_t>(end)};
}

torch::Tensor Loader::image_buffer(int64_t count, int rows, int cols) const {
  const std::vector<int64_t> shape{count, 3, rows, cols};
  std::lock_guard<std::mutex> lock(buffers_mutex_);
  for (const auto& buffer : buffers_) {
    // Only the pool holds it: the batch it went out with, and every view of it, are gone.
    if (buffer.use_count() == 1 && buffer.storage().use_count() == 1 && buffer.sizes() == shape) return buffer;
  }
  auto buffer = torch::empty(shape, torch::kFloat32);
  if (buffers_.size() < max_buffers_) buffers_.push_back(buffer);
  return buffer;
}

std::optional<Batch> Loader::build_batch(const std::vector<size_t>& indices, int64_t epoch,
                                         const std::function<bool()>& cancelled) const {
  const auto count = static_cast<int64_t>(indices.size());
  // Every image of a batch has this size: the pipeline's, or the first image's for whole images.
  const bool whole_images = pipeline_.geometry == Pipeline::Geometry::WholeImage;
  cv::Size size(pipeline_.image_size, pipeline_.image_size);
  Batch batch;
  batch.indices = indices;
  for (int64_t i = 0; i < count; ++i) {
    if (cancelled()) return std::nullopt;
    const size_t index = indices[static_cast<size_t>(i)];
    Sample sample = dataset_->get(index);
    std::mt19937_64 rng(sample_seed(options_.seed, epoch, index));
    const bool dense = !sample.label_map.empty();
    const LabelledImage out = dense ? pipeline_.augment_labelled(sample.image, sample.label_map, index, rng)
                                    : LabelledImage{pipeline_.augment(sample.image, index, rng), {}};
    if (i == 0) {
      if (whole_images) size = out.image.size();
      batch.images = image_buffer(count, size.height, size.width);
      batch.labels = dense ? torch::empty({count, size.height, size.width}, torch::kInt64) : torch::empty({count}, torch::kInt64);
    }
    if (out.image.size() != size) {
      throw Error("the pipeline produced a " + std::to_string(out.image.cols) + "x" + std::to_string(out.image.rows) +
                  " image for index " + std::to_string(index) + " of " + dataset_->description() +
                  "; this batch needs " + std::to_string(size.width) + "x" + std::to_string(size.height) +
                  (whole_images ? " (whole images of different sizes need --batch 1)" : ""));
    }
    if (dense != (batch.labels.dim() == 3)) {
      throw Error(dataset_->description() + " mixes samples with and without label maps (index " +
                  std::to_string(index) + ")");
    }
    const int64_t pixels = int64_t{size.height} * size.width;
    write_normalized(out.image, pipeline_.normalization, batch.images.data_ptr<float>() + i * 3 * pixels);
    if (dense) {
      cv::Mat wide;
      out.labels.convertTo(wide, CV_32S);
      batch.labels[i].copy_(torch::from_blob(wide.data, {size.height, size.width}, torch::kInt32));
    } else {
      batch.labels.data_ptr<int64_t>()[i] = sample.label;
    }
  }
  return batch;
}

void Loader::worker_loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  const size_t ahead = static_cast<size_t>(options_.workers) * options_.prefetch_batches;
  while (true) {
    work_available_.wait(lock, [&] {
      return stopping_ || (epoch_started_ && next_to_schedule_ < batches_per_epoch_ &&
                           next_to_schedule_ < next_to_deliver_ + ahead);
    });
    if (stopping_) return;
    const size_t batch = next_to_schedule_++;
    const uint64_t generation = generation_;
    const int64_t epoch = epoch_;
    const auto indices = batch_indices(batch);
    lock.unlock();

    Outcome outcome;
    try {
      outcome.batch = build_batch(indices, epoch, [&] {
        return stopping_ || generation_ != generation;
      });
    } catch (...) {
      outcome.error = std::current_exception();
    }

    lock.lock();
    // A batch of an abandoned epoch, or one cut short, is dropped.
    if (generation_ == generation && (outcome.batch || outcome.error)) {
      ready_[batch] = std::move(outcome);
      batch_ready_.notify_all();
    }
  }
}

std::optional<Batch> Loader::next() {
  if (!epoch_started_) throw Error("Loader::next() called before start_epoch()");
  if (next_to_deliver_ >= batches_per_epoch_) return std::nullopt;
  if (threads_.empty()) {
    const size_t batch = next_to_deliver_++;
    return build_batch(batch_indices(batch), epoch_, [] { return false; });
  }
  std::unique_lock<std::mutex> lock(mutex_);
  const size_t batch = next_to_deliver_;
  batch_ready_.wait(lock, [&] { return ready_.count(batch) > 0; });
  Outcome outcome = std::move(ready_.at(batch));
  ready_.erase(batch);
  ++next_to_deliver_;
  lock.unlock();
  work_available_.notify_all();
  if (outcome.error) std::rethrow_exception(outcome.error);
  return std::move(outcome.batch);
}

}  // namespace advbn::data
