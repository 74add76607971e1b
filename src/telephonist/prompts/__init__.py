"""Voice prompts in English and French (WEB-6): the text of every prompt
(:mod:`~telephonist.prompts.catalogue`), the speech engines that say them
(:mod:`~telephonist.prompts.speech`) and the cached library voice applications play from
(:mod:`~telephonist.prompts.library`)."""
