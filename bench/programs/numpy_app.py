"""A numpy app: built by bench/native_wheels.py via numpy's wheel and via its sdist (build time)."""

import numpy as np


def main():
    a = np.arange(12.0).reshape(3, 4)
    print(float((a @ a.T).trace()))


if __name__ == "__main__":
    main()
