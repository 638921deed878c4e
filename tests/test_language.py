"""Language identification: plainly English text skips the classifier, with the classifier's own answer."""

from claimwire import language

ENGLISH = (
    "Two people were killed and twelve others were injured on Tuesday when a crowded bus overturned on a flooded "
    "highway near the town, police said. The driver lost control of the bus after it hit water that had covered "
    "the road, and the injured were taken to the district hospital, where three of them were in critical "
    "condition, according to officials who said the toll would rise. Rescue teams from the fire service were at "
    "the scene for hours."
)
SPANISH = (
    "Dos personas murieron y otras doce resultaron heridas el martes cuando un autobús volcó en una carretera "
    "inundada cerca de la ciudad, según informó la policía. El conductor perdió el control del vehículo después "
    "de que el agua cubriera la calzada, y los heridos fueron trasladados al hospital del distrito."
)


def test_plain_english_is_english_without_the_classifier(monkeypatch):
    assert language.plainly_english(ENGLISH)
    monkeypatch.setattr(language, "plainly_english", lambda sample: False)
    assert language.detect_language(ENGLISH) == "en", "the classifier says the same"


def test_other_languages_and_capitals_go_to_the_classifier():
    assert not language.plainly_english(SPANISH)
    assert language.detect_language(SPANISH) == "es"
    assert not language.plainly_english(ENGLISH.upper()), "a text in capitals is left to the classifier"
    assert not language.plainly_english("The fire and the flood of the year."), "too few words to tell"
