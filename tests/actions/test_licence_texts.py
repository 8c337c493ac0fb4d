from email.parser import HeaderParser

import pytest

from pystatic.binary import licence_texts
from pystatic.binary.licence_policy import license_of_distribution

MIT = """The MIT License (MIT)

Copyright (c) 2015 Someone

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software.

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.
"""
BSD_2 = """Copyright (c) 2014, Someone
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

* Redistributions of source code must retain the above copyright notice, this
  list of conditions and the following disclaimer.

* Redistributions in binary form must reproduce the above copyright notice,
  this list of conditions and the following disclaimer in the documentation
  and/or other materials provided with the distribution.
"""
BSD_3 = BSD_2 + """
* Neither the name of the project nor the names of its
  contributors may be used to endorse or promote products derived from
  this software without specific prior written permission.
"""
BSD_4 = BSD_3 + """
* All advertising materials mentioning features or use of this software must display an acknowledgement.
"""
APACHE = """                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
"""
ISC = """Copyright (c) 2020, Someone

Permission to use, copy, modify, and/or distribute this software for any
purpose with or without fee is hereby granted, provided that the above
copyright notice and this permission notice appear in all copies.
"""


@pytest.mark.parametrize("text, expected", [
    (MIT, "MIT"), (BSD_2, "BSD-2-Clause"), (BSD_3, "BSD-3-Clause"), (APACHE, "Apache-2.0"),
    (ISC, "ISC"),
    (BSD_4, None),  # the advertising clause: not one of these
    (BSD_3 + "\n\nBundled: libfoo\n" + BSD_2, None),  # scipy's LICENSE.txt: its own licence and the bundled ones
    (BSD_3 + "\n" + MIT, None),
    ("Copyright (c) me, all rights reserved", None),
])
def test_a_licence_text_is_recognised_only_when_it_is_one_licence(text, expected):
    assert licence_texts.identify(text) == expected


def test_texts_must_agree_and_names_must_name_one_licence():
    assert licence_texts.concluded([BSD_3, BSD_3.replace("2014", "2020")]) == "BSD-3-Clause"
    assert licence_texts.concluded([BSD_3, MIT]) is None and licence_texts.concluded([]) is None
    assert licence_texts.name_of("BSD 3-Clause License") == "BSD-3-Clause"
    assert licence_texts.name_of("BSD License") is None and licence_texts.name_of("BSD") is None
    assert licence_texts.is_licence_text("licenses/LICENSE.txt") and licence_texts.is_licence_text("COPYING")
    assert not licence_texts.is_licence_text("licenses/NOTICE") and not licence_texts.is_licence_text("AUTHORS.rst")


@pytest.mark.parametrize("metadata, texts, expected", [
    ("License-Expression: MIT\n", [BSD_3], ("MIT", False)),  # what the package declares comes first
    ("License: BSD 3-Clause License\n", [], ("BSD-3-Clause", False)),  # the Jupyter packages: a name, declared
    ("Classifier: License :: OSI Approved :: BSD License\n", [BSD_3], ("BSD-3-Clause", True)),  # Jinja2
    ("Classifier: License :: OSI Approved :: BSD License\n", [MIT], (None, False)),  # the text contradicts the family
    ("License: " + BSD_3.replace("\n", "\n        ") + "\n", [], ("BSD-3-Clause", True)),  # the text in License:
    ("Classifier: License :: OSI Approved :: BSD License\n", [BSD_3, "Bundled: " + MIT], (None, False)),
    ("", [MIT], ("MIT", True)),
])
def test_license_of_distribution(metadata, texts, expected):
    expression, _, concluded = license_of_distribution(HeaderParser().parsestr(metadata), texts)
    assert (expression, concluded) == expected
