#!/usr/bin/env python3
"""Reads a calico dataset with its own TFRecord reader and checks its episodes.

Usage: read_shard.py DATASET_DIR

Independent of calico's C++: CRC-32C is computed here bit by bit from its definition, the
framing is parsed here, and episodes are decoded with protobuf classes that protoc
generated from calico's .proto files. Checks the contents write_dataset.cc wrote.
"""

import os
import struct
import sys

from replay import episode_pb2

# The checks below are asserts: refuse to run where they would be skipped (python3 -O,
# PYTHONOPTIMIZE), so the test cannot pass without checking.
if not __debug__:
    raise SystemExit(f"{__file__}: run without -O / PYTHONOPTIMIZE: its checks are asserts")


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        (length,) = struct.unpack_from("<Q", data, at)
        (length_crc,) = struct.unpack_from("<I", data, at + 8)
        assert masked(crc32c(data[at:at + 8])) == length_crc, f"{path}: length CRC at {at}"
        payload = data[at + 12:at + 12 + length]
        (payload_crc,) = struct.unpack_from("<I", data, at + 12 + length)
        assert masked(crc32c(payload)) == payload_crc, f"{path}: data CRC at {at}"
        yield payload
        at += 16 + length


def main():
    directory = sys.argv[1]
    shards = sorted(f for f in os.listdir(directory) if f.endswith(".tfrecord"))
    assert shards, "no shards"
    episodes = []
    for shard in shards:
        for payload in records(os.path.join(directory, shard)):
            episode = episode_pb2.EpisodeProto()
            episode.ParseFromString(payload)
            episodes.append(episode)
    assert len(episodes) == 4, len(episodes)
    seeds = sorted(e.metadata.seed for e in episodes)
    assert seeds == [1000, 1001, 1002, 1003], seeds  # four different episodes, not one four times
    for episode in sorted(episodes, key=lambda e: e.metadata.seed):
        e = episode.metadata.seed - 1000
        steps = 3 + e
        assert episode.format_version == 1
        assert episode.task == "interop/task"
        assert [s.name for s in episode.observation_spec] == ["instruction", "pixels", "state"]
        assert list(episode.action_spec[0].minimum) == [-1.0]
        assert len(episode.steps) == steps + 1 and episode.metadata.length == steps
        assert episode.metadata.policy == "scripted"
        total = 0.0
        for t, step in enumerate(episode.steps):
            expected_type = 1 if t == 0 else (3 if t == steps else 2)
            assert step.step_type == expected_type, (t, step.step_type)
            obs = {a.name: a for a in step.observation}
            assert obs["instruction"].text == "swing up the pole"
            assert list(obs["pixels"].shape) == [16, 16, 3]
            assert obs["pixels"].uint8_values == bytes([t * 10 + e]) * 768
            assert list(obs["state"].float_values) == [float(t), -0.5 * e]
            if t < steps:
                assert list(step.action[0].float_values) == [0.25 * t - 0.5]
            else:
                assert len(step.action) == 0
            assert step.reward == (0.5 * t if t > 0 else 0.0), (t, step.reward)
            total += step.reward
        assert abs(total - episode.metadata.episode_return) < 1e-9
    print(f"read_shard: {len(episodes)} episodes in {len(shards)} shards read and checked")


if __name__ == "__main__":
    main()
