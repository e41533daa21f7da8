"""The facilitatrice's daily loop in a real headless Chromium, against a `clauses serve` on a throw-away
database loaded with the demo data (scripts/browser.sh starts both). Run at laptop and at phone width;
each main page's screenshot goes to var/screenshots/. Exits non-zero on the first failed check."""

import base64
import datetime
import os
import re
import subprocess
import sys
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support.ui import WebDriverWait

BASE = os.environ["CLAUSES_BROWSER_URL"]
SHOTS = os.environ.get("CLAUSES_SCREENSHOTS", "var/screenshots")
EMAIL, PASSWORD = "facilitatrice@demo.clauses.fr", "demo-clauses"


def browser(width, height):
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", f"--window-size={width},{height}"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"  ok: {what}")


def shot(driver, name, size):
    driver.save_screenshot(os.path.join(SHOTS, f"{name}-{size}.png"))


def submit(driver, button):
    """Clicks a submit button (or a link) and waits for the next page to replace this one and load."""
    page = driver.find_element(By.TAG_NAME, "html")
    button.click()

    def replaced(_):
        try:
            page.tag_name
            return False
        except WebDriverException:
            # Stale, or Chromium's « Node … does not belong to the document » while the next page loads.
            return True

    WebDriverWait(driver, 15).until(replaced)
    WebDriverWait(driver, 15).until(lambda d: d.execute_script("return document.readyState") == "complete")


def click(driver, by, value):
    submit(driver, driver.find_element(by, value))


# Every control a person can reach has a name; no inline style (the CSP forbids it); every table cell is
# labelled for phones. Run on each page the walk visits.
AUDIT = """
const named = el => (el.getAttribute('aria-label') || el.textContent || '').trim().length > 0
    || (el.labels && el.labels.length > 0 && el.labels[0].textContent.trim().length > 0);
const controls = [...document.querySelectorAll('button, a[href], input:not([type=hidden]), select')];
return {
  unnamed: controls.filter(el => !named(el)).map(el => el.outerHTML.slice(0, 120)),
  styled: [...document.querySelectorAll('[style]')].map(el => el.outerHTML.slice(0, 120)),
  unlabelledCells: [...document.querySelectorAll('td')].filter(td => !td.hasAttribute('data-label')
      && !td.hasAttribute('colspan')).length,
};
"""


def audit(driver):
    found = driver.execute_script(AUDIT)
    where = driver.current_url.replace(BASE, "")
    check(not found["unnamed"], f"{where}: every control has a name {found['unnamed'][:2]}")
    check(not found["styled"], f"{where}: no inline style {found['styled'][:2]}")
    check(found["unlabelledCells"] == 0, f"{where}: every table cell is labelled for phones")


def luminance(css):
    """The relative luminance (WCAG 2) of a computed CSS colour `rgb(…)` or `rgba(…)`."""
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", css)[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b):
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def check_contrast(driver):
    """WCAG AA as the browser computes the colours: badges and muted text ≥ 4.5:1, field borders, the
    meter's track and the chart's bars ≥ 3:1 against white."""
    white = "rgb(255, 255, 255)"
    for badge in driver.find_elements(By.CSS_SELECTOR, ".status"):
        ratio = contrast(badge.value_of_css_property("color"), badge.value_of_css_property("background-color"))
        check(ratio >= 4.5, f"badge « {badge.text} » contrast {ratio:.2f}:1 ≥ 4.5")
    for selector in (".meta", ".explain"):
        for element in driver.find_elements(By.CSS_SELECTOR, selector)[:1]:
            ratio = contrast(element.value_of_css_property("color"), white)
            check(ratio >= 4.5, f"{selector} text contrast {ratio:.2f}:1 ≥ 4.5")
    for selector, prop in ((".meter-track", "stroke"), (".chart .bar", "fill")):
        for element in driver.find_elements(By.CSS_SELECTOR, selector)[:1]:
            ratio = contrast(element.value_of_css_property(prop), white)
            check(ratio >= 3, f"{selector} contrast {ratio:.2f}:1 ≥ 3")


def credited(driver):
    """The lot page's credited hours, as written (« Valorisées : 1 234,5 h sur … »)."""
    text = driver.find_element(By.CSS_SELECTOR, ".card p strong").text
    return text


def walk(size, width, height, hours, imported):
    print(f"Walk at {size} ({width}×{height})")
    driver = browser(width, height)
    try:
        steps(driver, size, hours, imported)
    except Exception:
        # What the browser showed when it failed, for the person reading the CI log.
        shot(driver, "echec", size)
        print(f"Failed on {driver.current_url}")
        raise
    finally:
        driver.quit()


def steps(driver, size, hours, imported):
    driver.get(BASE + "/connexion")
    shot(driver, "connexion", size)
    check("nil" not in driver.find_element(By.TAG_NAME, "main").text, "no « nil » on the login page")
    driver.find_element(By.NAME, "email").send_keys(EMAIL)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    click(driver, By.CSS_SELECTOR, "main button[type=submit]")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Tableau de bord", "signed in, on the dashboard")
    audit(driver)
    check_contrast(driver)
    check("relevé(s) d'heures à valider" in driver.page_source, "the dashboard lists hours awaiting validation")
    shot(driver, "tableau-de-bord", size)

    driver.get(BASE + "/lots?q=HOP-2026-014")
    check("Page suivante" not in driver.page_source, "a short list has no « next page » link")
    shot(driver, "lots", size)
    click(driver, By.LINK_TEXT, "Gros œuvre")
    lot_url = driver.current_url
    before = credited(driver)
    check(driver.find_element(By.CSS_SELECTOR, "svg.chart") is not None, "the lot page draws its chart")
    cells = driver.find_elements(By.CSS_SELECTOR, "td[data-label]")
    check(len(cells) > 0, "table cells carry their column label for phones")
    audit(driver)
    check_contrast(driver)
    shot(driver, "lot", size)

    click(driver, By.LINK_TEXT, "Saisir les heures du mois")
    check(driver.find_element(By.TAG_NAME, "h1").text.startswith("Heures "), "the month's hour grid")
    audit(driver)
    border = driver.find_element(By.CSS_SELECTOR, "form.grid input[type=text]").value_of_css_property("border-top-color")
    check(contrast(border, "rgb(255, 255, 255)") >= 3, "the grid's field borders contrast ≥ 3:1")
    field = driver.find_element(By.CSS_SELECTOR, "input[name$='[worked]']")
    field.clear()
    field.send_keys("12,5x")
    click(driver, By.CSS_SELECTOR, "form.grid button[type=submit]")
    check("en chiffres" in driver.page_source, "letters in an hour cell are refused next to the row")
    check(driver.find_element(By.CSS_SELECTOR, "input[name$='[worked]']").get_attribute("value") == "12,5x",
          "what was typed is kept")
    field = driver.find_element(By.CSS_SELECTOR, "input[name$='[worked]']")
    field.clear()
    field.send_keys(hours)
    shot(driver, "heures", size)
    click(driver, By.CSS_SELECTOR, "form.grid button[type=submit]")
    check("relevé(s) enregistré(s)" in driver.page_source, "the grid is saved")

    driver.get(lot_url)
    click(driver, By.LINK_TEXT, "Les valider")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Relevés à valider", "the review queue, for this lot")
    audit(driver)
    shot(driver, "releves", size)
    for box in driver.find_elements(By.CSS_SELECTOR, "input[name='ids[]']"):
        box.click()
    click(driver, By.CSS_SELECTOR, "button[name=bulk][value=validate]")
    check("validé(s)" in driver.page_source, "the ticked reports are validated")

    driver.get(lot_url)
    after = credited(driver)
    check(after != before, f"the lot's credited hours moved ({before} → {after})")
    shot(driver, "lot-apres", size)

    placement = re.search(r"MEP-\d{4}-\d{5}", driver.page_source).group(0)
    driver.get(BASE + "/imports")
    audit(driver)
    shot(driver, "imports", size)
    today = datetime.date.today()
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False, encoding="utf-8") as f:
        f.write(f"placement;mois;heures travaillées\n{placement};{today.month:02d}/{today.year};{imported}\n")
        path = f.name
    driver.find_element(By.NAME, "file").send_keys(path)
    driver.find_element(By.NAME, "replace").click()
    click(driver, By.CSS_SELECTOR, "form.card button[type=submit]")
    check("Vérification réussie" in driver.page_source, "the file is checked first, nothing written")
    check(driver.find_element(By.CSS_SELECTOR, "select[name=kind] option[selected]").get_attribute("value")
          == "hours", "the chosen file type is kept")
    shot(driver, "imports-verification", size)
    click(driver, By.XPATH, "//button[text()='Importer pour de bon']")
    check("Import terminé" in driver.page_source, "« Importer pour de bon » imports the checked file")
    check("attendent la validation" in driver.page_source, "the page says imported hours wait for validation")

    for page in ("/marches", "/acheteurs", "/indicateurs", "/comite", "/sorties-positives", "/alertes"):
        driver.get(BASE + page)
        check(driver.find_elements(By.CSS_SELECTOR, "nav a[aria-current=page]"), f"{page} marks its menu entry")
        audit(driver)
        shot(driver, page.strip("/"), size)
    workbench(driver, size)


def fill(driver, name, value):
    """Types `value` in the form field `f[name]`; dates are set as the browser's date field holds them."""
    field = driver.find_element(By.NAME, f"f[{name}]")
    if field.get_attribute("type") == "date":
        driver.execute_script("arguments[0].value = arguments[1]", field, value)
    else:
        field.clear()
        field.send_keys(value)


def choose(driver, name, value=None):
    """Chooses an option of the select `f[name]`: the one with this value, else the first real one."""
    options = driver.find_elements(By.CSS_SELECTOR, f"select[name='f[{name}]'] option")
    option = next(o for o in options if (o.get_attribute("value") == value if value else o.get_attribute("value")))
    option.click()


def button(driver, text):
    quoted = f'"{text}"' if "'" in text else f"'{text}'"
    click(driver, By.XPATH, f"//main//button[normalize-space()={quoted}] | //main//a[normalize-space()={quoted}]")


def workbench(driver, size):
    """A first morning with the forms: a marché and its lot whose clause is set with the calculator, a
    company on the lot, a participant with a validated proof and an open pathway, placed on the lot after
    the eligibility check, a committee decision, and the password changed (then changed back)."""
    today = datetime.date.today()
    driver.get(BASE + "/acheteurs")
    click(driver, By.CSS_SELECTOR, "main table tbody a")
    button(driver, "Nouveau marché")
    audit(driver)
    fill(driver, "reference", f"WALK-{size}")
    fill(driver, "object", "Réhabilitation du gymnase")
    driver.find_element(By.NAME, "f[social0]").click()
    button(driver, "Enregistrer")
    check(driver.find_element(By.TAG_NAME, "h1").text.endswith(f"WALK-{size}"), "the marché is created")
    shot(driver, "marche", size)

    button(driver, "Nouveau lot")
    fill(driver, "number", "1")
    fill(driver, "label", "Menuiseries")
    fill(driver, "amountExclVat", "480 000")
    fill(driver, "executionStart", f"{today.year}-01-01")
    fill(driver, "executionEnd", f"{today.year - 1}-12-31")
    button(driver, "Créer le lot et définir sa clause")
    check("précède le début" in driver.page_source, "a lot ending before it starts is refused beside the field")
    check(driver.find_element(By.NAME, "f[label]").get_attribute("value") == "Menuiseries", "what was typed is kept")
    audit(driver)
    shot(driver, "lot-refuse", size)
    fill(driver, "executionEnd", f"{today.year + 1}-12-31")
    button(driver, "Créer le lot et définir sa clause")
    check(driver.find_element(By.TAG_NAME, "h1").text.startswith("Clause d'insertion"), "on to the lot's clause")
    choose(driver, "mode", "fixed")
    check(not driver.find_element(By.CSS_SELECTOR, "fieldset[data-group=standard]").is_displayed()
          and driver.find_element(By.CSS_SELECTOR, "fieldset[data-group=fixed]").is_displayed(),
          "the calculator shows the chosen mode's data only")
    choose(driver, "mode", "standard")
    fill(driver, "standard.labourShare", "40")
    fill(driver, "standard.rate", "5")
    fill(driver, "standard.hourlyCost", "24")
    button(driver, "Calculer")
    check("Heures d'insertion prescrites : 400 h" in driver.page_source.replace("&#39;", "'"),
          "the calculator shows the result before saving")
    check("480\u202f000 € × 40 % × 5 % ÷ 24 €/h" in driver.page_source, "and the formula with its figures")
    audit(driver)
    driver.execute_script("document.querySelector('.preview').scrollIntoView()")
    shot(driver, "clause-calcul", size)
    button(driver, "Enregistrer la clause")
    check("400 h prescrites" in driver.page_source, "the lot carries its clause")
    lot_url = driver.current_url.split("?")[0]

    button(driver, "Ajouter une entreprise")
    choose(driver, "companyId")
    button(driver, "Enregistrer")
    check("Titulaire" in driver.page_source, "a company holds the lot")

    driver.get(BASE + "/participants")
    audit(driver)
    shot(driver, "participants", size)
    button(driver, "Nouveau participant")
    reference = f"WALK-P-{size}"
    fill(driver, "reference", reference)
    fill(driver, "lastName", "Lefèvre")
    fill(driver, "firstName", "Inès")
    choose(driver, "plieId")
    fill(driver, "entryDate", today.isoformat())
    audit(driver)
    button(driver, "Créer la fiche")
    check(driver.find_element(By.TAG_NAME, "h1").text.startswith("Inès LEFÈVRE"), "the participant's record")
    button(driver, "Ajouter un justificatif")
    choose(driver, "code", "DELD")
    driver.find_element(By.NAME, "f[validate]").click()
    button(driver, "Enregistrer le justificatif")
    check("Valide aujourd'hui" in driver.page_source.replace("&#39;", "'"), "the validated proof counts today")
    audit(driver)
    shot(driver, "participant", size)

    driver.get(lot_url)
    button(driver, "Placer une personne")
    fill(driver, "reference", reference)
    choose(driver, "companyId")
    choose(driver, "contractType", "cdd")
    button(driver, "Vérifier l'éligibilité")
    check("est éligible le" in driver.page_source, "the eligibility check before saving")
    audit(driver)
    driver.execute_script("document.querySelector('.preview').scrollIntoView()")
    shot(driver, "mise-a-l-emploi", size)
    button(driver, "Créer la mise à l'emploi")
    check("Mise à l'emploi créée" in driver.page_source.replace("&#39;", "'"), "the person is placed on the lot")
    check("Inès LEFÈVRE" in driver.page_source, "the lot lists the placement")

    driver.get(BASE + "/sorties-positives")
    links = driver.find_elements(By.PARTIAL_LINK_TEXT, "Enregistrer la décision")
    check(links, "a positive outcome waits for the committee")
    submit(driver, links[0])
    audit(driver)
    choose(driver, "decision", "accepted")
    fill(driver, "note", "Vu en comité")
    shot(driver, "decision", size)
    button(driver, "Confirmer la décision")
    check("Décision du comité enregistrée" in driver.page_source, "the committee's decision is recorded")
    driver.get(BASE + "/comite/decisions")
    check("Vu en comité" in driver.page_source, "the decision and its note are in the list")
    audit(driver)

    for old, new in ((PASSWORD, "un autre secret pour la démo"), ("un autre secret pour la démo", PASSWORD)):
        driver.get(BASE + "/compte")
        fill(driver, "current", old)
        fill(driver, "new", new)
        fill(driver, "confirm", new)
        button(driver, "Changer le mot de passe")
        check("Mot de passe changé" in driver.page_source, "the password is changed")
    audit(driver)
    shot(driver, "compte", size)
    bilans(driver, size)
    matching(driver, size)


# The demo buyer's bilan for March 2026 (the demo data and the walk's own lot, whatever the day) prints on this
# many A4 pages with the DejaVu font the Makefile installs.
BILAN_PAGES = 4
BILAN_HEADER = "Habitat Ouest Provence, office public (démo) — bilan, mars 2026"


def bilans(driver, size):
    """The buyer's bilans page from its record, then (at laptop width) the printed bilan read back from its PDF:
    its page count, and the buyer and period at the top of every page with its number."""
    driver.get(BASE + "/acheteurs")
    click(driver, By.LINK_TEXT, "Habitat Ouest Provence, office public (démo)")
    click(driver, By.LINK_TEXT, "Bilans et envois")
    check("Ouvrir le bilan à imprimer" in driver.page_source, "the buyer's bilans page previews the bilan")
    check("Envois programmés" in driver.page_source, "and lists its scheduled mailings")
    audit(driver)
    shot(driver, "bilans", size)
    preview = driver.find_element(By.CSS_SELECTOR, "section.preview")
    driver.execute_script("arguments[0].scrollIntoView()", preview)
    shot(driver, "bilans-apercu", size)
    if size != "ordinateur":
        return
    buyer = driver.current_url.split("/acheteurs/")[1].split("/")[0]
    driver.get(f"{BASE}/bilans/document?perimetre=buyer&cible={buyer}&periode=2026-03")
    check(driver.find_element(By.TAG_NAME, "h1").text == "Habitat Ouest Provence, office public (démo)",
          "the printable bilan opens")
    shot(driver, "bilan-document", size)
    options = PrintOptions()
    options.page_width, options.page_height, options.background = 21.0, 29.7, True
    path = os.path.join(SHOTS, "bilan.pdf")
    with open(path, "wb") as pdf:
        pdf.write(base64.b64decode(driver.print_page(options)))
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))
    check(pages == BILAN_PAGES, f"the printed bilan has {BILAN_PAGES} A4 pages (found {pages})")
    for page in range(1, pages + 1):
        text = subprocess.run(["pdftotext", "-layout", "-f", str(page), "-l", str(page), path, "-"],
                              capture_output=True, text=True, check=True).stdout
        check(BILAN_HEADER in text and f"page {page} / {pages}" in text,
              f"page {page} carries the buyer, the period and its number")


def matching(driver, size):
    """A lot's staffing need and its explained shortlist; at laptop width, a new need typed after a trade search,
    two candidates proposed and one hired: the hire is a placement on the lot."""
    driver.get(BASE + "/lots?q=HOP-2026-014")
    click(driver, By.LINK_TEXT, "Gros œuvre")
    lot_url = driver.current_url
    button(driver, "Besoins de recrutement")
    check(driver.find_element(By.TAG_NAME, "h1").text.startswith("Besoins de recrutement"), "the lot's needs page")
    audit(driver)
    shot(driver, "besoins", size)
    if size == "ordinateur":
        search = driver.find_element(By.NAME, "metier")
        search.send_keys("MACONNE")
        click(driver, By.XPATH, "//main//button[normalize-space()='Chercher']")
        check("F1703" in driver.find_element(By.CSS_SELECTOR, "ul.suggestions").text,
              "the trade search finds « Maçonne » typed without accent")
        fill(driver, "romeCodes", "F1701")
        fill(driver, "weeklyHours", "35")
        fill(driver, "plannedStart", (datetime.date.today() + datetime.timedelta(days=30)).isoformat())
        choose(driver, "contractType", "cddChantier")
        button(driver, "Enregistrer le besoin")
        check("Besoin enregistré" in driver.page_source, "a need saved from the lot's page opens its shortlist")
        driver.back()
        driver.back()
    click(driver, By.PARTIAL_LINK_TEXT, "F1703")
    check("Présélection au" in driver.page_source and "Sur quoi elle repose" in driver.page_source,
          "the need's shortlist shows each candidate's score parts")
    audit(driver)
    shot(driver, "besoin", size)
    driver.execute_script("arguments[0].scrollIntoView()", driver.find_element(By.CSS_SELECTOR, "ol.shortlist"))
    shot(driver, "besoin-preselection", size)
    if size != "ordinateur":
        return
    names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ol.shortlist li p strong a")]
    button(driver, "Proposer à l'entreprise")
    check("Candidature proposée" in driver.page_source, "the first candidate is proposed")
    button(driver, "Proposer à l'entreprise")
    check(len(driver.find_elements(By.CSS_SELECTOR, "select[aria-label='Réponse']")) == 2, "two proposals to answer")
    choose_first = driver.find_elements(By.CSS_SELECTOR, "select[aria-label='Réponse']")[0]
    next(o for o in choose_first.find_elements(By.TAG_NAME, "option") if o.get_attribute("value") == "hired").click()
    click(driver, By.XPATH, "(//main//button[normalize-space()='Enregistrer'])[1]")
    check("Réponse de l'entreprise enregistrée" in driver.page_source and re.search(r"MEP-\d{4}-\d{5}", driver.page_source),
          "the hire is recorded with its placement code")
    shot(driver, "besoin-embauche", size)
    driver.get(lot_url)
    check(names[0] in driver.page_source, f"the hired person ({names[0]}) is placed on the lot")


def main():
    os.makedirs(SHOTS, exist_ok=True)
    walk("ordinateur", 1280, 900, "140", "150")
    walk("telephone", 390, 844, "132,5", "122,5")
    print("Browser walk passed")


if __name__ == "__main__":
    try:
        main()
    except AssertionError as failure:
        print(f"FAILED: {failure}")
        sys.exit(1)
    except WebDriverException as failure:
        print(f"FAILED (browser): {failure.msg}")
        sys.exit(1)
