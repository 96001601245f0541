#!/usr/bin/python3
"""One-off generator of the numpy/scipy fixtures of test_eval_stats (run once, output committed).

Run from this folder with Debian's python3-numpy and python3-scipy:
    /usr/bin/python3 make_fixtures.py
It writes the .npz/.npy files below and prints the reference Fréchet distances, which the
tests hold as literals, so the tests themselves need no Python.
"""
import numpy as np
import scipy.linalg


def random_stats(rng, d, k):
    w = rng.standard_normal((d, k))
    sigma = w @ w.T / k + 0.05 * np.eye(d)
    mu = rng.standard_normal(d)
    return mu, sigma


def fd_scipy(mu1, s1, mu2, s2):
    # The pytorch-fid formula, through scipy's general matrix square root.
    covmean, _ = scipy.linalg.sqrtm(s1 @ s2, disp=False)
    covmean = covmean.real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def fd_symmetric(mu1, s1, mu2, s2):
    r = scipy.linalg.sqrtm(s1).real
    m = r @ s2 @ r
    ev = np.linalg.eigvalsh((m + m.T) / 2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2)
                 - 2 * np.sum(np.sqrt(np.clip(ev, 0, None))))


rng = np.random.default_rng(20240517)

# 5-d, float64, np.savez (stored members).
a5 = random_stats(rng, 5, 8)
b5 = random_stats(rng, 5, 8)
np.savez("ref5_a.npz", mu=a5[0], sigma=a5[1])
np.savez("ref5_b.npz", mu=b5[0], sigma=b5[1])

# 64-d, mu float32 as pytorch-fid writes it, np.savez_compressed (deflated members).
a64 = random_stats(rng, 64, 100)
b64 = random_stats(rng, 64, 100)
a64 = (a64[0].astype(np.float32), a64[1])
b64 = (b64[0].astype(np.float32), b64[1])
np.savez_compressed("ref64_a.npz", mu=a64[0], sigma=a64[1])
np.savez_compressed("ref64_b.npz", mu=b64[0], sigma=b64[1])

for name, (a, b) in {"5": (a5, b5), "64": (a64, b64)}.items():
    mu1, mu2 = a[0].astype(np.float64), b[0].astype(np.float64)
    ref = fd_scipy(mu1, a[1], mu2, b[1])
    sym = fd_symmetric(mu1, a[1], mu2, b[1])
    assert abs(ref - sym) <= 1e-9 * abs(ref), (ref, sym)
    print(f"constexpr double kScipyFd{name} = {ref!r};")

# Small feature matrices: float32 C order, the same values in Fortran order, a 1-D vector,
# a version 2.0 header, a big-endian array (rejected), and np.save of a float64 matrix.
feats = (np.arange(12, dtype=np.float32).reshape(4, 3) * 0.5 - 1.0)
np.save("feats_f4_c.npy", feats)
np.save("feats_f4_fortran.npy", np.asfortranarray(feats))
np.save("vec_f8.npy", np.array([1.5, -2.0, 3.25]))
with open("feats_f8_v2.npy", "wb") as f:
    np.lib.format.write_array(f, feats.astype(np.float64), version=(2, 0))
np.save("feats_f8_bigendian.npy", feats.astype(">f8"))
np.savez("no_mu.npz", sigma=np.eye(2))
np.savez("mismatch.npz", mu=np.zeros(3), sigma=np.eye(2))
